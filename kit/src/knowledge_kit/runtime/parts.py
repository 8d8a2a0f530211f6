"""What a service hands the runtime (its parts), and what the runtime hands it to build them on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.events.consumer import EventHandler
from knowledge_kit.events.kafka import KafkaConnection
from knowledge_kit.events.outbox import Outbox
from knowledge_kit.rpc.pipeline import RpcStep
from knowledge_kit.rpc.server import token_verifier
from knowledge_kit.settings import SettingsT
from knowledge_kit.websocket.server import ConnectionHandler

Registration = tuple[Callable[[Any, Any], None], Any]
"""`(add_FooServicer_to_server, servicer)`, as the generated gRPC code registers a servicer."""

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A loop the service runs while it serves: `async def run(stop)` returns soon after `stop`."""


@dataclass(frozen=True)
class WebSocketEndpoint:
    """Where the service accepts WebSocket connections, and the coroutine run per connection."""

    handler: ConnectionHandler
    host: str
    port: int
    max_message_bytes: int = 1 << 20
    per_message_deflate: bool = False
    ping_interval_seconds: float = 20.0


@dataclass(frozen=True)
class ServiceParts:
    """Everything a service runs besides what the kit runs for every service.

    `steps` replaces the kit's default RPC pipeline (build it with `default_steps`);
    `event_handlers` are applied to what the service consumes from its `consumed_topics`;
    `lifecycles` are entered in order before serving and left in reverse after.
    """

    servicers: Sequence[Registration]
    steps: Sequence[RpcStep] | None = None
    event_handlers: Mapping[type[Message], EventHandler] = field(default_factory=dict)
    websocket: WebSocketEndpoint | None = None
    background: Sequence[BackgroundTask] = ()
    lifecycles: Sequence[AbstractAsyncContextManager[object]] = ()


class ServiceContext(Generic[SettingsT]):
    """The settings and what the runtime started from them, for the service's parts."""

    def __init__(
        self, settings: SettingsT, sessions: async_sessionmaker[AsyncSession] | None
    ) -> None:
        self.settings = settings
        self.kafka = KafkaConnection.of(settings)
        self.outbox = Outbox.for_service(settings)
        self._sessions = sessions
        self._verifier: TokenVerifier | None = None

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions on the service's migrated database."""
        if self._sessions is None:
            raise RuntimeError(
                f"{self.settings.service_name} has no database: pass its migrations to the runtime"
            )
        return self._sessions

    @property
    def verifier(self) -> TokenVerifier:
        """Verifies tokens against the Auth service's JWKS (made on first use, closed at stop)."""
        if self._verifier is None:
            self._verifier = token_verifier(self.settings)
        return self._verifier

    async def close(self) -> None:
        """Release what the context made."""
        if self._verifier is not None:
            await self._verifier.close()


PartsBuilder = Callable[[ServiceContext[SettingsT]], Awaitable[ServiceParts]]
"""`async def parts(context) -> ServiceParts`: the service's composition, run once at start."""
