"""The edge in front of the web app: pages, Server Actions and the app's assets reach the app's
server with the browser's Host and how it came in; gRPC-web calls, which share the shape of
their paths with the app's pages, still reach the services; the classic page answers at /classic;
a foreign page is refused before the app sees it."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from fleet.infra.net import free_port

from .edge_harness import running_edge

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
EMPTY_MESSAGE = struct.pack(">BI", 0, 0)
CLASSIC = "<!doctype html><title>classic</title><script src='/static/app.js'></script>"


async def app_server(request: web.Request) -> web.StreamResponse:
    """The app's server as the edge sees it: it answers what it was asked, in pieces."""
    body = await request.read()
    response = web.StreamResponse(status=303 if request.method == "POST" else 200)
    response.headers["X-Seen"] = (
        f"{request.method} {request.path_qs} host={request.headers.get('Host')} "
        f"proto={request.headers.get('X-Forwarded-Proto')} "
        f"action={request.headers.get('Next-Action')} body={body.decode()}"
    )
    if request.method == "POST":
        response.headers["Location"] = "/spaces/abc"
        response.headers.add("Set-Cookie", "knowledge_access=a; HttpOnly; Path=/")
        response.headers.add("Set-Cookie", "knowledge_refresh=r; HttpOnly; Path=/")
    await response.prepare(request)
    for piece in (b"first piece, ", b"second piece"):
        await response.write(piece)
    await response.write_eof()
    return response


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[str]:
    (tmp_path / "index.html").write_text(CLASSIC)
    upstream = web.Application()
    upstream.router.add_route("*", "/{tail:.*}", app_server)
    runner = web.AppRunner(upstream)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with running_edge(
            # Nothing listens on port 9: a gRPC-web call answers UNAVAILABLE from the edge.
            grpc_routes={"grpc.health.v1": "127.0.0.1:9"},
            web_app=f"127.0.0.1:{runner.addresses[0][1]}",
            static_dir=tmp_path,
        ) as url:
            yield url
    finally:
        await runner.cleanup()


async def test_pages_reach_the_app_with_the_browsers_host(edge: str) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/spaces/abc?tab=members", "/_next/static/chunk.js"):
            async with session.get(edge + path) as answer:
                assert answer.status == 200
                assert await answer.text() == "first piece, second piece"
                host = edge.removeprefix("http://")
                assert answer.headers["X-Seen"] == (
                    f"GET {path} host={host} proto=http action=None body="
                )


async def test_a_server_action_reaches_the_app_with_its_cookies_and_redirect(edge: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            edge + "/spaces/abc",
            data="title=Plan",
            headers={"Next-Action": "7f00", "Origin": edge, "Content-Type": "text/plain"},
            allow_redirects=False,
        ) as answer,
    ):
        assert answer.status == 303
        assert answer.headers["Location"] == "/spaces/abc"
        assert answer.headers.getall("Set-Cookie") == [
            "knowledge_access=a; HttpOnly; Path=/",
            "knowledge_refresh=r; HttpOnly; Path=/",
        ]
        assert answer.headers["X-Seen"].endswith("action=7f00 body=title=Plan")


async def test_grpc_web_still_reaches_the_services(edge: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            edge + HEALTH_CHECK,
            data=EMPTY_MESSAGE,
            headers={"Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1"},
        ) as answer,
    ):
        body = await answer.read()
        assert "X-Seen" not in answer.headers
        assert answer.headers["Content-Type"] == "application/grpc-web+proto"
        # The trailers frame: UNAVAILABLE, since port 9 is nobody's.
        assert b"grpc-status:14" in body


async def test_the_classic_page_answers_at_classic(edge: str) -> None:
    async with aiohttp.ClientSession() as session, session.get(edge + "/classic") as answer:
        assert answer.status == 200
        assert await answer.text() == CLASSIC


async def test_a_foreign_page_is_refused_before_the_app_sees_it(edge: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            edge + "/sign-in",
            data="email=a",
            headers={"Origin": "http://evil.example", "Next-Action": "7f00"},
        ) as answer,
    ):
        assert answer.status == 403
        assert "X-Seen" not in answer.headers


async def test_the_app_down_is_a_bad_gateway_saying_so() -> None:
    async with (
        running_edge(web_app=f"127.0.0.1:{free_port()}") as edge,
        aiohttp.ClientSession() as session,
        session.get(edge + "/sign-in") as answer,
    ):
        assert answer.status == 502
        assert "the web app is not answering" in await answer.text()


async def page_text(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as answer:
        return await answer.text()


async def first_piece(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientResponse:
    """A page being streamed: its first piece read, the rest still to come."""
    answer = await session.get(url)
    assert await answer.content.readexactly(len(b"first piece, ")) == b"first piece, "
    return answer


HELD_PAGES = 120
"""More slow pages at once than an HTTP client keeps connections by default (100)."""


async def test_a_page_answers_while_more_than_a_hundred_slow_ones_are_still_streaming() -> None:
    released = asyncio.Event()

    async def slow_or_quick(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"first piece, ")
        if request.path == "/slow":
            await released.wait()
        await response.write(b"last piece")
        await response.write_eof()
        return response

    upstream = web.Application()
    upstream.router.add_route("*", "/{tail:.*}", slow_or_quick)
    runner = web.AppRunner(upstream)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        async with (
            running_edge(web_app=f"127.0.0.1:{runner.addresses[0][1]}") as edge,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
        ):
            slow = await asyncio.wait_for(
                asyncio.gather(*(first_piece(session, edge + "/slow") for _ in range(HELD_PAGES))),
                timeout=60,
            )
            # Before, the edge's client to the app waited for one of its 100 connections to be
            # free, for ever: every later page and Server Action hung.
            assert await asyncio.wait_for(page_text(session, edge + "/spaces/abc"), timeout=30) == (
                "first piece, last piece"
            )
            released.set()
            for answer in slow:
                assert await answer.text() == "last piece"
                answer.release()
    finally:
        released.set()
        await runner.cleanup()
