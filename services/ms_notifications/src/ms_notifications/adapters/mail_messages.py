"""The mails we send: one per notification, or one digest per user and category, each with a
plain-text and an HTML part written from templates, and one-click unsubscribe (RFC 8058).

Everything a user wrote (titles, bodies, names) is escaped in the HTML part and kept on one line
in headers, so a title can neither inject markup nor a header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

SUBJECT_MAX_LENGTH = 200

CATEGORY_LABELS = {
    1: "space membership",
    2: "document",
    3: "chat",
    4: "model and training",
    5: "account and security",
}
"""How a mail names each NotificationCategory (by its number in the contract)."""

_TEMPLATES = Environment(
    loader=PackageLoader("ms_notifications.adapters", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class MailItem:
    """One notification as a mail tells it: its title, body and the link that opens it."""

    title: str
    body: str = ""
    link: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a mail goes to: the address, and the name to greet them by."""

    address: str
    display_name: str = ""


def category_label(category: int) -> str:
    """The words a mail uses for a NotificationCategory."""
    return CATEGORY_LABELS.get(category, "other")


def unsubscribe_link(base_url: str, token: str) -> str:
    """The List-Unsubscribe URL of a token, under the service's public base URL (https)."""
    return f"{base_url.rstrip('/')}/unsubscribe?{urlencode({'token': token})}"


class MailComposer:
    """Writes the mails of one site, sent from `sender` (e.g. `Knowledge <notify@example.com>`)."""

    def __init__(self, sender: str, *, site_name: str = "Knowledge") -> None:
        message = EmailMessage()
        message["From"] = sender
        self._sender = str(message["From"])
        self._domain = message["From"].addresses[0].domain or "localhost"
        self._site_name = site_name

    def notification(
        self,
        recipient: Recipient,
        category: int,
        item: MailItem,
        unsubscribe_url: str | None,
        message_id: str | None = None,
    ) -> EmailMessage:
        """The mail of one notification. Without `unsubscribe_url` (security notices, which
        cannot be muted) the mail carries no List-Unsubscribe header. A `message_id` (the
        part before @) gives a mail sent again the same Message-ID, so receivers see one mail."""
        subject = _one_line(item.title)
        return self._compose(
            "notification",
            recipient,
            subject,
            unsubscribe_url,
            message_id,
            item=item,
            category_label=category_label(category),
        )

    def digest(
        self,
        recipient: Recipient,
        category: int,
        items: Sequence[MailItem],
        unsubscribe_url: str | None,
        message_id: str | None = None,
    ) -> EmailMessage:
        """One mail listing every notification of a category since the last digest."""
        if not items:
            raise ValueError("a digest lists at least one notification")
        label = category_label(category)
        count = len(items)
        subject = f"{count} new notification{'' if count == 1 else 's'} in {label}"
        return self._compose(
            "digest",
            recipient,
            subject,
            unsubscribe_url,
            message_id,
            items=items,
            category_label=label,
        )

    def _compose(
        self,
        template: str,
        recipient: Recipient,
        subject: str,
        unsubscribe_url: str | None,
        message_id: str | None,
        **context: Any,
    ) -> EmailMessage:
        values = {
            "subject": subject,
            "site_name": self._site_name,
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self._sender
        message["To"] = _address(recipient)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = (
            f"<{message_id}@{self._domain}>" if message_id else make_msgid(domain=self._domain)
        )
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        if unsubscribe_url is not None:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(_TEMPLATES.get_template(f"{template}.txt.j2").render(values))
        message.add_alternative(
            _TEMPLATES.get_template(f"{template}.html.j2").render(values), subtype="html"
        )
        return message


def _address(recipient: Recipient) -> Address:
    """The To address; ValueError when `recipient.address` is not an email address."""
    try:
        address = Address(_one_line(recipient.display_name), addr_spec=recipient.address)
    except (ValueError, IndexError, MessageError):
        raise ValueError(f"{recipient.address!r} is not an email address") from None
    if not address.domain or not address.username:
        raise ValueError(f"{recipient.address!r} is not an email address")
    return address


def _one_line(text: str) -> str:
    """`text` fit for a header: whitespace runs (line breaks too) become one space, capped."""
    line = " ".join(text.split())
    if len(line) > SUBJECT_MAX_LENGTH:
        line = line[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return line
