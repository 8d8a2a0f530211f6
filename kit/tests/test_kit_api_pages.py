"""Page tokens (AIP-158): opaque, bound to their listing, refused naming page_token when not."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from knowledge_kit.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageTokens, checked_page_size
from knowledge_kit.errors import ValidationError
from knowledge_kit.settings import ServiceSettings

TOKENS = PageTokens(b"test secret")
LISTING = ("spaces/handbook", 'title:"Plan"')


def refused_field(token: str, listing: tuple[str, ...] = LISTING) -> str:
    with pytest.raises(ValidationError) as refused:
        TOKENS.open(token, listing)
    return refused.value.violations[0].field


def test_a_token_resumes_its_listing_where_it_stopped() -> None:
    token = TOKENS.seal(["alice@example.com", 7], LISTING)
    assert TOKENS.open(token, LISTING) == ["alice@example.com", 7]


def test_a_token_reveals_nothing_of_its_position_or_listing() -> None:
    token = TOKENS.seal(["alice@example.com"], LISTING)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for secret in (b"alice", b"handbook", b"Plan"):
        assert secret not in decoded
    assert "alice" not in token


def test_a_token_of_another_listing_is_refused() -> None:
    token = TOKENS.seal([50], LISTING)
    assert refused_field(token, ("spaces/handbook", "")) == "page_token"
    assert refused_field(token, ("spaces/other", 'title:"Plan"')) == "page_token"


@pytest.mark.parametrize("index", [0, 5, 20, -1])
def test_a_tampered_token_is_refused(index: int) -> None:
    token = TOKENS.seal([50], LISTING)
    flipped = "A" if token[index] != "A" else "B"
    tampered = token[:index] + flipped + token[index + 1 :] if index >= 0 else token[:-1] + flipped
    assert refused_field(tampered) == "page_token"


@pytest.mark.parametrize("garbage", ["garbage", "%%%", "AA", "eyJvZmZzZXQiOiAxMH0"])
def test_garbage_is_refused_naming_page_token(garbage: str) -> None:
    assert refused_field(garbage) == "page_token"


def test_a_token_of_another_key_is_refused() -> None:
    token = PageTokens(b"another secret").seal([50], LISTING)
    assert refused_field(token) == "page_token"


def test_every_instance_of_a_service_opens_the_others_tokens() -> None:
    settings = ServiceSettings(service_name="ms_knowledge")
    token = PageTokens.for_service(settings).seal([50], LISTING)
    assert PageTokens.for_service(settings).open(token, LISTING) == [50]
    keyed = settings.model_copy(update={"page_token_secret": SecretStr("from a secret")})
    with pytest.raises(ValidationError):
        PageTokens.for_service(keyed).open(token, LISTING)


def test_page_sizes_default_cap_and_refuse_negative() -> None:
    assert checked_page_size(0) == DEFAULT_PAGE_SIZE
    assert checked_page_size(7) == 7
    assert checked_page_size(MAX_PAGE_SIZE + 1) == MAX_PAGE_SIZE
    with pytest.raises(ValidationError) as refused:
        checked_page_size(-1)
    assert refused.value.violations[0].field == "page_size"


def test_offset_pages_walk_a_listing_once() -> None:
    items = list(range(7))
    seen: list[int] = []
    token = ""
    while True:
        request = TOKENS.request(3, token, listing=LISTING)
        page = request.page_at_offset(items[request.offset : request.offset + request.fetch_limit])
        seen.extend(page.items)
        token = page.next_page_token
        if not token:
            break
    assert seen == items


def test_keyset_pages_resume_after_the_last_item_sent() -> None:
    emails = ["a@x", "b@x", "c@x"]
    first = TOKENS.request(2, "", listing=()).page(emails, lambda email: [email])
    assert first.items == ["a@x", "b@x"]
    assert TOKENS.request(2, first.next_page_token, listing=()).after == ["b@x"]
    last = TOKENS.request(2, "", listing=()).page(emails[:2], lambda email: [email])
    assert last.next_page_token == ""


def test_a_keyset_token_is_no_offset() -> None:
    token = TOKENS.seal(["b@x"], LISTING)
    with pytest.raises(ValidationError) as refused:
        _ = TOKENS.request(2, token, listing=LISTING).offset
    assert refused.value.violations[0].field == "page_token"
