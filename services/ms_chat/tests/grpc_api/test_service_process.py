"""The service as it runs in production: `python -m ms_chat` serves gRPC and its WebSocket,
then stops on SIGTERM."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from knowledge_kit.testing.service_process import ServiceProcess, free_port
from knowledge_kit.websocket import SUBPROTOCOL
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol


async def test_the_service_starts_answers_health_checks_and_stops_on_sigterm(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    sqlite_database_url: str,
    kafka_bootstrap: str,
    mint_token: Callable[..., str],
) -> None:
    socket_port = free_port()
    service = await start_service_process(
        "ms_chat",
        {
            "DATABASE_URL": sqlite_database_url,
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "WEBSOCKET_HOST": "127.0.0.1",
            "WEBSOCKET_PORT": str(socket_port),
            # Nothing listens there: the service starts without ms_vector and says so per answer.
            "VECTOR_TARGET": f"127.0.0.1:{free_port()}",
            # Reranking wired, its ms_ml absent too: answers would come unreranked.
            "ML_TARGET": f"127.0.0.1:{free_port()}",
            "RERANKER_DEPLOYMENT": "models/reranker/deployments/chat",
        },
    )
    await service.serving()
    offered = [SUBPROTOCOL, Subprotocol(f"bearer.{mint_token('users/ada')}")]
    async with connect(f"ws://127.0.0.1:{socket_port}", subprotocols=offered) as socket:
        await socket.send("hello")
        assert json.loads(await socket.recv())["error"]["code"] == "invalid_argument"
    await service.stop_on_sigterm()
