"""The local SMTP sink: every mail the platform sends in a local run is kept as an .eml file,
and the page lists the latest ones (GET /local/mails) as a mail client would show them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from fleet.edge.config import MailSinkConfig

MAILS_PATH = "/local/mails"
SHOWN = 50
"""The page shows the latest mails only."""
MAX_MAIL_BYTES = 1024 * 1024


class MailKeeper:
    """An aiosmtpd handler writing each accepted mail to `directory`, named so that names sort
    in the order the mails arrived."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._numbers = itertools.count()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        name = f"{time.time_ns():020d}-{next(self._numbers):06d}.eml"
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / name).write_bytes(content)
        return "250 Message accepted for delivery"


@contextlib.asynccontextmanager
async def mail_sink(config: MailSinkConfig, host: str) -> AsyncIterator[None]:
    """The SMTP server, listening while the block runs."""
    loop = asyncio.get_running_loop()
    keeper = MailKeeper(config.directory)
    server = await loop.create_server(
        lambda: SMTP(keeper, hostname="mail.local", data_size_limit=MAX_MAIL_BYTES, loop=loop),
        host,
        config.port,
    )
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


def latest_mails(directory: Path, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The latest mails, newest first: who from and to, the subject, when, the plain text and
    the unsubscribe link."""
    if not directory.is_dir():
        return []
    names = sorted(path.name for path in directory.glob("*.eml"))[-limit:]
    shown = []
    for name in reversed(names):
        mail = message_from_bytes(
            (directory / name).read_bytes(), _class=EmailMessage, policy=policy.default
        )
        text = mail.get_body(preferencelist=("plain",))
        shown.append(
            {
                "id": name.removesuffix(".eml"),
                "from": str(mail.get("From", "")),
                "to": str(mail.get("To", "")),
                "subject": str(mail.get("Subject", "")),
                "date": str(mail.get("Date", "")),
                "text": text.get_content() if isinstance(text, EmailMessage) else "",
                "unsubscribe": str(mail.get("List-Unsubscribe", "")),
            }
        )
    return shown


def mails_handler(directory: Path) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def mails(request: web.Request) -> web.Response:
        found = await asyncio.to_thread(latest_mails, directory)
        return web.json_response({"mails": found}, headers={"Cache-Control": "no-store"})

    return mails
