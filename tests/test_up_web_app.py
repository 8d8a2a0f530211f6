"""The web app as people use it: `fleet up` builds it and serves it behind the edge at the page's
address; two people in two headless Chromium browsers sign up, share a space and a document, and
each edit reaches the other browser without a reload (WatchDocument over gRPC-web), a save over a
newer revision is refused with an offer to reload, a restored revision reaches both, words typed
while a save is on its way stay on the page, a viewer is told who may save, the session cookies
stay out of the page's scripts, and signing out ends the session; a person finds their writing
with the search page and asks the Ask page about it, the answer streamed (StreamAnswer over
gRPC-web) and its citation opening the passage."""

from __future__ import annotations

import json
import random
import string
import urllib.error
import urllib.request

import grpc
import pytest
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import document_service_pb2_grpc, space_service_pb2_grpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc

from .browser_probes import CHROMIUM, probe_lines
from .edge_harness import (
    PASSWORD,
    PlatformUp,
    bearer,
    log_in,
    register,
    unique_email,
)

PROBE_DEADLINE = 180.0


def test_the_app_answers_at_the_pages_address_and_the_classic_page_beside_it(
    platform: PlatformUp,
) -> None:
    with urllib.request.urlopen(f"{platform.edge_url}sign-in", timeout=30) as answer:
        app = answer.read().decode()
    with urllib.request.urlopen(platform.page_url, timeout=30) as answer:
        classic = answer.read().decode()
    assert 'id="sign-in-button"' in app
    assert "/static/app.js" in classic
    assert platform.table_row("web").split("│")[4].strip() == "ready"


def test_two_people_share_a_document_live_in_two_browsers(platform: PlatformUp) -> None:
    first, second, third = unique_email(), unique_email(), unique_email()
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "first": first,
        "second": second,
        "third": third,
        "password": PASSWORD,
        "spaceName": "Team notes",
    }
    seen = probe_lines("web_app_session.mjs", request, timeout=PROBE_DEADLINE)
    signed_out = seen[-2]
    assert seen == [
        'second signed up; scripts see ""; refresh cookie httpOnly=true sameSite=Lax',
        'space "Team notes" created',
        "invited: <second> is now an editor.",
        "first saved revision 2",
        'second opened "first words"',
        'second shows "written in the first browser" live without a reload',
        "second told: Someone else saved this document after you opened it. Load their version"
        " to go on; copy your text first to keep it.",
        'second reloaded "saved again in the first browser"',
        'restored revision 2; second shows "first words"',
        'first typed on during a save: saved revision 6, the page keeps "saved while typing, and more"',
        "viewer told: Your role does not allow this on this document: viewers can read, editors"
        " can also write and restore, and only owners manage members.",
        "third made an editor, then removed; members: 2",
        "second's expired token rotated: a new refresh token",
        "first signed out: the spaces page sends them to sign in",
        signed_out,
        "problems: []",
    ]

    # Signing out revoked the session at ms_auth: its refresh token is refused.
    revoked = json.loads(signed_out.removeprefix("signed out with "))
    with (
        grpc.insecure_channel(platform.edge_target) as channel,
        pytest.raises(grpc.RpcError) as refused,
    ):
        auth_service_pb2_grpc.AuthServiceStub(channel).RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=revoked)
        )
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

    # What the browsers did is what the platform keeps.
    token = log_in(platform, second)
    with grpc.insecure_channel(platform.edge_target) as channel:
        spaces = space_service_pb2_grpc.SpaceServiceStub(channel)
        documents = document_service_pb2_grpc.DocumentServiceStub(channel)
        (space,) = spaces.ListSpaces(space_rpc.ListSpacesRequest(), metadata=bearer(token)).spaces
        (listed,) = documents.ListDocuments(
            document_rpc.ListDocumentsRequest(parent=space.name), metadata=bearer(token)
        ).documents
        document = documents.GetDocument(
            document_rpc.GetDocumentRequest(name=listed.name), metadata=bearer(token)
        ).document
    assert (space.display_name, document.title) == ("Team notes", "Plan")
    assert (document.content, document.revision) == ("saved while typing", 6)


def made_up_word() -> str:
    """A word no document of the run contains until a test writes it."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


def test_search_finds_the_writing_and_an_answer_streams_with_a_citation_to_open(
    platform: PlatformUp,
) -> None:
    word = made_up_word()
    sentence = f"The {word.capitalize()} heron nests on the eastern cliffs of Kestrel Island."
    request = {
        "chromium": CHROMIUM,
        "url": platform.edge_url,
        "email": unique_email(),
        "password": PASSWORD,
        "spaceName": "Birding",
        "title": "Herons",
        "content": f"# Herons\n\n{sentence} Its eggs hatch in May.\n",
        "word": word,
        "question": f"Where does the {word} heron nest?",
        "deadlineSeconds": PROBE_DEADLINE / 2,
    }
    searched, opened, answered, cited, problems = probe_lines(
        "web_app_ask_session.mjs", request, timeout=PROBE_DEADLINE
    )
    assert json.loads(searched.removeprefix("search ")) == {
        "title": "Herons",
        "marked": [word.capitalize()],
    }
    (passage,) = json.loads(opened.removeprefix("search opened "))["marked"]
    assert sentence in passage
    answer = json.loads(answered.removeprefix("answer "))
    assert answer["status"] == "answered from your passages, every claim cited"
    assert sentence in answer["text"]
    assert answer["citations"] == ["Herons"]
    citation = json.loads(cited.removeprefix("citation opened "))
    assert sentence in "".join(citation["supported"])
    assert sentence in citation["marked"]
    assert problems == "problems []"


def signed_up(platform: PlatformUp) -> auth_service_pb2.LoginResponse:
    """A new account, signed in: its user and its first session's tokens."""
    email = unique_email()
    register(platform, email)
    with grpc.insecure_channel(platform.edge_target) as channel:
        return auth_service_pb2_grpc.AuthServiceStub(channel).Login(
            auth_service_pb2.LoginRequest(email=email, password=PASSWORD)
        )


def test_a_page_over_https_rotates_an_expired_token_into_secure_http_only_cookies(
    platform: PlatformUp,
) -> None:
    tokens = signed_up(platform).tokens
    # As a TLS-terminating ingress forwards it: the app's own server, told the browser used https.
    expired = "e30.eyJleHAiOjF9.e30"  # {"exp": 1}
    page = urllib.request.Request(
        f"http://127.0.0.1:{platform.ports.web_app}/spaces",
        headers={
            "Cookie": f"knowledge_access={expired}; knowledge_refresh={tokens.refresh_token}",
            "X-Forwarded-Proto": "https",
        },
    )
    with urllib.request.urlopen(page, timeout=60) as answer:
        shown = answer.read().decode()
        cookies = answer.headers.get_all("Set-Cookie")
    assert "Your spaces" in shown
    by_name = {cookie.split("=", 1)[0]: cookie for cookie in cookies}
    assert set(by_name) == {"knowledge_access", "knowledge_refresh"}
    for cookie in by_name.values():
        flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
        assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    rotated = by_name["knowledge_refresh"].split(";")[0].split("=", 1)[1]
    assert rotated != tokens.refresh_token
    with grpc.insecure_channel(platform.edge_target) as channel:
        again = auth_service_pb2_grpc.AuthServiceStub(channel).RefreshToken(
            auth_service_pb2.RefreshTokenRequest(refresh_token=rotated)
        )
    assert again.tokens.access_token


def _stream_token(
    platform: PlatformUp, cookie: str, site: str
) -> tuple[int, dict[str, object], list[str]]:
    """POST /session/stream-token as a browser on `site` would send it: status, body, cookies."""
    asked = urllib.request.Request(
        f"{platform.edge_url}session/stream-token",
        method="POST",
        headers={"Cookie": cookie, "Sec-Fetch-Site": site} if cookie else {"Sec-Fetch-Site": site},
    )
    try:
        with urllib.request.urlopen(asked, timeout=60) as answer:
            return (
                answer.status,
                json.loads(answer.read()),
                answer.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read()), refused.headers.get_all("Set-Cookie") or []


def test_the_pages_streams_get_a_fresh_token_from_the_app_and_no_other_site_does(
    platform: PlatformUp,
) -> None:
    signed_in = signed_up(platform)
    tokens = signed_in.tokens
    session = f"knowledge_access={tokens.access_token}; knowledge_refresh={tokens.refresh_token}"
    # Another site's page cannot have the session's token, and rotates nothing.
    status, body, cookies = _stream_token(platform, session, "cross-site")
    assert (status, body, cookies) == (
        403,
        {"error": "only the app's own pages may ask for a stream token"},
        [],
    )
    status, body, _ = _stream_token(platform, "", "same-origin")
    assert (status, body) == (401, {"error": "not signed in"})
    # The access token still fresh: the page's streams get it as it is.
    status, body, cookies = _stream_token(platform, session, "same-origin")
    assert (status, body, cookies) == (200, {"token": tokens.access_token}, [])
    # About to expire: rotated first, the browser given the new pair in its cookies.
    expired = "e30.eyJleHAiOjF9.e30"  # {"exp": 1}
    status, body, cookies = _stream_token(
        platform,
        f"knowledge_access={expired}; knowledge_refresh={tokens.refresh_token}",
        "same-origin",
    )
    by_name = {cookie.split("=", 1)[0]: cookie.split(";")[0].split("=", 1)[1] for cookie in cookies}
    assert status == 200
    assert body == {"token": by_name["knowledge_access"]}
    assert by_name["knowledge_refresh"] != tokens.refresh_token
    with grpc.insecure_channel(platform.edge_target) as channel:
        sessions = auth_service_pb2_grpc.AuthServiceStub(channel).ListSessions(
            auth_service_pb2.ListSessionsRequest(parent=signed_in.user.name),
            metadata=bearer(str(body["token"])),
        )
    assert sessions.sessions
    # A session revoked meanwhile: not signed in, and the browser's cookies are cleared.
    with grpc.insecure_channel(platform.edge_target) as channel:
        auth_service_pb2_grpc.AuthServiceStub(channel).Logout(
            auth_service_pb2.LogoutRequest(refresh_token=by_name["knowledge_refresh"])
        )
    status, body, cookies = _stream_token(
        platform,
        f"knowledge_access={expired}; knowledge_refresh={by_name['knowledge_refresh']}",
        "same-origin",
    )
    assert (status, body) == (401, {"error": "not signed in"})
    assert {cookie.split("=", 1)[0] for cookie in cookies} == {
        "knowledge_access",
        "knowledge_refresh",
        "knowledge_user",
    }
    assert all("expires=thu, 01 jan 1970" in cookie.lower() for cookie in cookies), cookies
