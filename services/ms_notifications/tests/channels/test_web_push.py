"""Web Push to a real push service the tests start: the payload decrypts with the subscription's
keys, the VAPID token verifies against our key, and the service's answers decide what follows."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from knowledge_kit.errors import ValidationError

from ms_notifications.adapters.web_push import (
    DeliveryFailed,
    SubscriptionGone,
    VapidKeys,
    WebPushSender,
    validate_subscription,
)

from .push_service import BrowserSubscription, b64url, push_service, verified_vapid_claims
from .smtp_servers import closed_port

SUBJECT = "mailto:notifications@knowledge.test"
PAYLOAD = b'{"title":"Grace edited \\u201cRoadmap\\u201d","link":"/spaces/s1/documents/d1"}'


async def test_the_push_decrypts_with_the_subscription_s_keys_and_carries_our_vapid_token() -> None:
    keys = VapidKeys.generate()
    browser = BrowserSubscription()
    async with push_service() as service:
        endpoint = service.endpoint("laptop")
        await WebPushSender(keys, SUBJECT).send(endpoint, browser.p256dh, browser.auth, PAYLOAD)

    (push,) = service.received
    assert push.headers["content-encoding"] == "aes128gcm"
    assert int(push.headers["ttl"]) > 0
    assert browser.decrypt(push.body) == PAYLOAD
    assert PAYLOAD not in push.body
    claims = verified_vapid_claims(push.headers["authorization"], keys.public_key_b64url)
    assert claims["aud"] == service.base_url
    assert claims["sub"] == SUBJECT
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600


async def test_another_subscription_cannot_read_the_push() -> None:
    browser, stranger = BrowserSubscription(), BrowserSubscription()
    async with push_service() as service:
        sender = WebPushSender(VapidKeys.generate(), SUBJECT)
        await sender.send(service.endpoint("a"), browser.p256dh, browser.auth, PAYLOAD)
    with pytest.raises(Exception):  # noqa: B017 - http_ece reports a failed decryption variously
        stranger.decrypt(service.received[0].body)


@pytest.mark.parametrize("status", [404, 410])
async def test_a_subscription_the_push_service_forgot_is_gone(status: int) -> None:
    browser = BrowserSubscription()
    async with push_service() as service:
        service.answers["old"] = status
        sender = WebPushSender(VapidKeys.generate(), SUBJECT)
        with pytest.raises(SubscriptionGone) as failure:
            await sender.send(service.endpoint("old"), browser.p256dh, browser.auth, PAYLOAD)
    assert failure.value.permanent
    assert failure.value.reason.startswith(f"push service {status}")


@pytest.mark.parametrize(("status", "permanent"), [(503, False), (429, False), (400, True)])
async def test_other_refusals_fail_for_now_or_for_good(status: int, permanent: bool) -> None:
    browser = BrowserSubscription()
    async with push_service() as service:
        service.answers["busy"] = status
        sender = WebPushSender(VapidKeys.generate(), SUBJECT)
        with pytest.raises(DeliveryFailed) as failure:
            await sender.send(service.endpoint("busy"), browser.p256dh, browser.auth, PAYLOAD)
    assert not isinstance(failure.value, SubscriptionGone)
    assert failure.value.permanent is permanent


async def test_a_push_service_that_is_down_fails_for_now() -> None:
    browser = BrowserSubscription()
    sender = WebPushSender(VapidKeys.generate(), SUBJECT, timeout_seconds=5)
    endpoint = f"http://127.0.0.1:{closed_port()}/push/x"
    with pytest.raises(DeliveryFailed) as failure:
        await sender.send(endpoint, browser.p256dh, browser.auth, PAYLOAD)
    assert not failure.value.permanent
    assert failure.value.reason.startswith("push service unreachable")


def test_the_vapid_key_reads_back_from_pem_and_from_the_raw_key() -> None:
    keys = VapidKeys.generate()
    assert VapidKeys.from_private_key(keys.private_key_pem).public_key_b64url == (
        keys.public_key_b64url
    )
    private = ec.generate_private_key(ec.SECP256R1())
    raw = b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    assert VapidKeys.from_private_key(raw).public_key_b64url == VapidKeys(private).public_key_b64url
    assert len(keys.public_key_b64url) == 87  # 65 bytes, base64url without padding


@pytest.mark.parametrize("text", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"])
def test_an_unreadable_vapid_key_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        VapidKeys.from_private_key(text)


def test_a_well_formed_subscription_passes() -> None:
    browser = BrowserSubscription()
    validate_subscription("https://push.example.test/send/abc", browser.p256dh, browser.auth)


def test_each_malformed_part_of_a_subscription_is_named() -> None:
    not_on_the_curve = b64url(b"\x04" + bytes(64))
    with pytest.raises(ValidationError) as error:
        validate_subscription("http://push.example.test/x", not_on_the_curve, b64url(bytes(8)))
    assert {violation.field for violation in error.value.violations} == {
        "subscription.endpoint",
        "subscription.p256dh",
        "subscription.auth",
    }


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth", "field"),
    [
        ("https://", None, None, "subscription.endpoint"),
        ("https://push.example.test/" + "x" * 3000, None, None, "subscription.endpoint"),
        (None, "%%%", None, "subscription.p256dh"),
        (None, b64url(bytes(33)), None, "subscription.p256dh"),
        (None, None, "", "subscription.auth"),
    ],
)
def test_one_malformed_part_is_named_alone(
    endpoint: str | None, p256dh: str | None, auth: str | None, field: str
) -> None:
    browser = BrowserSubscription()
    with pytest.raises(ValidationError) as error:
        validate_subscription(
            endpoint or "https://push.example.test/send/abc",
            browser.p256dh if p256dh is None else p256dh,
            browser.auth if auth is None else auth,
        )
    assert [violation.field for violation in error.value.violations] == [field]
