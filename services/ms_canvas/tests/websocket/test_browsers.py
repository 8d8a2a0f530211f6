"""Two headless-Chromium pages running unmodified yjs + y-websocket edit one canvas together."""

from __future__ import annotations

from knowledge_kit.testing.jwks_endpoint import JwksEndpoint

from ..support.collaborators import collaborators
from ..support.platform import EDITOR, OWNER, canvas_platform, create_canvas, join


async def test_two_browser_pages_converge_and_see_each_others_cursor(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> None:
    async with canvas_platform(postgres_url, kafka_bootstrap, jwks_endpoint) as platform:
        service = await platform.start_canvas_service()
        await create_canvas(platform, service)
        async with collaborators() as pages:
            await join(
                pages,
                platform,
                service.websocket_url,
                ("alice", OWNER),
                ("bob", EDITOR),
                where="browser",
            )
            await pages.call("alice", "putNode", "idea", {"label": "Idea", "x": 1, "y": 2})
            await pages.call("bob", "putNode", "plan", {"label": "Plan", "x": 3, "y": 4})
            for name in ("alice", "bob"):
                await pages.call(name, "waitForNodes", ["idea", "plan"])
            await pages.call("bob", "moveNode", "idea", 50, 60)
            await pages.call("alice", "waitForNode", "idea", {"x": 50, "y": 60})
            assert await pages.call("alice", "nodes") == await pages.call("bob", "nodes")

            await pages.call("alice", "moveCursor", 11, 12)
            await pages.call("bob", "moveCursor", 21, 22)
            await pages.call("bob", "waitForCursor", OWNER, 11, 12)
            await pages.call("alice", "waitForCursor", EDITOR, 21, 22)
