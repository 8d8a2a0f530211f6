"""Real SMTP servers (aiosmtpd) on a free local port, answering as a test tells them to."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Mailbox:
    """An SMTP handler keeping what it accepts; `refuse_recipient` or `refuse_data` (e.g. "550
    5.1.1 mailbox unavailable") makes it answer that instead."""

    def __init__(self, refuse_recipient: str | None = None, refuse_data: str | None = None) -> None:
        self.refuse_recipient = refuse_recipient
        self.refuse_data = refuse_data
        self.received: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse_recipient:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data:
            return self.refuse_data
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """The accepted mails, parsed as a mail client reads them."""
        parsed = []
        for envelope in self.received:
            content = envelope.original_content or b""
            parsed.append(message_from_bytes(content, _class=EmailMessage, policy=policy.default))
        return parsed


class Credentials:
    """Accepts one user name and password (AUTH PLAIN/LOGIN)."""

    def __init__(self, username: str, password: str) -> None:
        self._expected = (username.encode(), password.encode())

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == self._expected
        return AuthResult(success=ok, handled=False)


@asynccontextmanager
async def smtp_server(mailbox: Mailbox, port: int = 0, **options: Any) -> AsyncIterator[int]:
    """An aiosmtpd server for `mailbox` on 127.0.0.1 (on `port`, or a free one), yielding its
    port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(mailbox, hostname="mail.test", loop=loop, **options), "127.0.0.1", port
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A server that accepts connections and never says a word (no SMTP greeting)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
