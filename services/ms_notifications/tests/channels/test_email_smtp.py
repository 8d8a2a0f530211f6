"""Email through real SMTP servers the tests start: what a mail client receives (parts, headers,
escaping, one-click unsubscribe), and how refusals and outages are told apart."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from ms_notifications.adapters.email import (
    DeliveryFailed,
    MailComposer,
    MailItem,
    Recipient,
    ServerUnavailable,
    SmtpMailer,
    unsubscribe_link,
)

from .smtp_servers import Credentials, Mailbox, closed_port, silent_server, smtp_server

COMPOSER = MailComposer("Knowledge <notifications@knowledge.test>")
ADA = Recipient("ada@example.test", "Ada Lovelace")
UNSUBSCRIBE = unsubscribe_link("https://knowledge.test/", "tok.en")
DOCUMENT = 2
ACCOUNT = 5


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies, as a mail client picks them."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


async def send_one(message: EmailMessage, mailbox: Mailbox | None = None) -> list[EmailMessage]:
    mailbox = mailbox or Mailbox()
    async with smtp_server(mailbox) as port:
        await SmtpMailer("127.0.0.1", port, timeout_seconds=5).send(message)
    return mailbox.messages()


async def test_a_notification_arrives_with_text_and_html_parts() -> None:
    item = MailItem(
        "Grace edited “Roadmap”",
        "Three paragraphs changed.",
        "https://knowledge.test/spaces/s1/documents/d1",
    )
    mailbox = Mailbox()
    received = await send_one(COMPOSER.notification(ADA, DOCUMENT, item, UNSUBSCRIBE), mailbox)

    assert len(received) == 1
    mail = received[0]
    assert mailbox.received[0].rcpt_tos == ["ada@example.test"]
    assert mail["Subject"] == "Grace edited “Roadmap”"
    assert mail["To"] == "Ada Lovelace <ada@example.test>"
    assert mail["From"] == "Knowledge <notifications@knowledge.test>"
    assert mail["Message-ID"].endswith("@knowledge.test>")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(mail)
    for body in (text, html):
        assert "Grace edited “Roadmap”" in body
        assert "Three paragraphs changed." in body
        assert "https://knowledge.test/spaces/s1/documents/d1" in body
        assert "document notifications" in body


async def test_one_click_unsubscribe_headers_follow_rfc_8058() -> None:
    item = MailItem("Grace edited “Roadmap”")
    (mail,) = await send_one(COMPOSER.notification(ADA, DOCUMENT, item, UNSUBSCRIBE))

    assert UNSUBSCRIBE == "https://knowledge.test/unsubscribe?token=tok.en"
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(mail)
    assert UNSUBSCRIBE in text
    assert 'href="https://knowledge.test/unsubscribe?token=tok.en"' in html


async def test_security_notices_offer_no_unsubscribe() -> None:
    item = MailItem("A session was revoked", "Your session on Firefox was signed out.")
    (mail,) = await send_one(COMPOSER.notification(ADA, ACCOUNT, item, None))

    assert mail["List-Unsubscribe"] is None
    assert mail["List-Unsubscribe-Post"] is None
    text, html = parts(mail)
    assert "cannot be turned off" in text and "cannot be turned off" in html


async def test_what_users_wrote_is_escaped_in_html_and_kept_to_one_header_line() -> None:
    item = MailItem(
        "<script>alert(1)</script> & Co\r\nBcc: everyone@example.test",
        'Body with <b>tags</b> & "quotes"',
        "https://knowledge.test/spaces/s1?a=1&b=2",
    )
    mallory = Recipient("ada@example.test", "Ada\r\nBcc: everyone@example.test")
    mailbox = Mailbox()
    (mail,) = await send_one(COMPOSER.notification(mallory, DOCUMENT, item, UNSUBSCRIBE), mailbox)

    assert mailbox.received[0].rcpt_tos == ["ada@example.test"]
    assert mail["Bcc"] is None
    assert mail["Subject"] == "<script>alert(1)</script> & Co Bcc: everyone@example.test"
    text, html = parts(mail)
    assert "<script>" not in html and "<b>tags</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "Body with &lt;b&gt;tags&lt;/b&gt; &amp; &#34;quotes&#34;" in html
    assert 'href="https://knowledge.test/spaces/s1?a=1&amp;b=2"' in html
    assert 'Body with <b>tags</b> & "quotes"' in text


async def test_a_digest_is_one_mail_counting_and_listing_each_notification() -> None:
    items = [
        MailItem(f"Grace edited document {n}", f"Change {n}", f"https://knowledge.test/d{n}")
        for n in range(1, 4)
    ]
    mailbox = Mailbox()
    received = await send_one(COMPOSER.digest(ADA, DOCUMENT, items, UNSUBSCRIBE), mailbox)

    assert len(received) == 1
    mail = received[0]
    assert mail["Subject"] == "3 new notifications in document"
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    text, html = parts(mail)
    for n in range(1, 4):
        for body in (text, html):
            assert f"Grace edited document {n}" in body
            assert f"Change {n}" in body
            assert f"https://knowledge.test/d{n}" in body
    assert text.count("* Grace edited document") == 3
    assert html.count("<li") == 3


async def test_a_digest_of_one_says_so_in_the_singular() -> None:
    mail = COMPOSER.digest(ADA, DOCUMENT, [MailItem("Grace edited Roadmap")], UNSUBSCRIBE)
    assert mail["Subject"] == "1 new notification in document"
    with pytest.raises(ValueError):
        COMPOSER.digest(ADA, DOCUMENT, [], UNSUBSCRIBE)


def test_a_mail_sent_again_keeps_its_message_id() -> None:
    first, again = (
        COMPOSER.notification(ADA, DOCUMENT, MailItem("Hi"), None, message_id="n1.email")
        for _ in range(2)
    )
    assert first["Message-ID"] == again["Message-ID"] == "<n1.email@knowledge.test>"


@pytest.mark.parametrize("address", ["", "ada", "ada@", "@example.test", "a@b@c"])
def test_a_mail_to_no_address_cannot_be_written(address: str) -> None:
    with pytest.raises(ValueError):
        COMPOSER.notification(Recipient(address), DOCUMENT, MailItem("Hi"), None)


async def test_an_unknown_mailbox_fails_for_good() -> None:
    mailbox = Mailbox(refuse_recipient="550 5.1.1 mailbox unavailable")
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    with pytest.raises(DeliveryFailed) as failure:
        await send_one(mail, mailbox)
    assert failure.value.permanent
    assert failure.value.reason == "SMTP 550 5.1.1 mailbox unavailable"
    assert mailbox.received == []


async def test_a_server_asking_to_try_later_fails_for_now() -> None:
    mailbox = Mailbox(refuse_data="451 4.3.0 try again later")
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    with pytest.raises(DeliveryFailed) as failure:
        await send_one(mail, mailbox)
    assert not failure.value.permanent
    assert not isinstance(failure.value, ServerUnavailable)
    assert failure.value.reason == "SMTP 451 4.3.0 try again later"


async def test_a_server_closing_for_now_is_unavailable() -> None:
    mailbox = Mailbox(refuse_data="421 4.3.2 shutting down")
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    with pytest.raises(ServerUnavailable):
        await send_one(mail, mailbox)


async def test_a_server_that_is_down_is_unavailable() -> None:
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    with pytest.raises(DeliveryFailed) as failure:
        await SmtpMailer("127.0.0.1", closed_port(), timeout_seconds=5).send(mail)
    assert isinstance(failure.value, ServerUnavailable) and not failure.value.permanent
    assert failure.value.reason.startswith("SMTP unreachable")


async def test_a_server_that_never_answers_is_unavailable() -> None:
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    async with silent_server() as port:
        with pytest.raises(DeliveryFailed) as failure:
            await SmtpMailer("127.0.0.1", port, timeout_seconds=0.5).send(mail)
    assert isinstance(failure.value, ServerUnavailable) and not failure.value.permanent
    assert failure.value.reason.startswith("SMTP timeout")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_the_server_s_credentials_are_used_and_wrong_ones_make_it_unavailable() -> None:
    mailbox = Mailbox()
    mail = COMPOSER.notification(ADA, DOCUMENT, MailItem("Hello"), UNSUBSCRIBE)
    credentials = Credentials("relay", "s3cret")
    async with smtp_server(
        mailbox, auth_required=True, authenticator=credentials, auth_require_tls=False
    ) as port:
        with pytest.raises(DeliveryFailed) as failure:
            await SmtpMailer("127.0.0.1", port, username="relay", password="wrong").send(mail)
        await SmtpMailer("127.0.0.1", port, username="relay", password="s3cret").send(mail)
    assert isinstance(failure.value, ServerUnavailable)
    assert failure.value.reason.startswith("SMTP 535")
    assert len(mailbox.messages()) == 1
