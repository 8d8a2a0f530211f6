"""The edge's local mail sink: what a service sends through SMTP in a local run is kept and
listed for the page, newest first, as a mail client shows it; without the sink the list is not
there."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from pathlib import Path

import aiohttp
from aiohttp import web
from fleet.edge.app import HANDLER_CANCELLATION, build_edge
from fleet.edge.config import EdgeConfig
from fleet.infra.net import free_port

from .edge_harness import running_edge


def send(port: int, subject: str, text: str) -> None:
    mail = EmailMessage()
    mail["From"] = "Knowledge <notifications@localhost>"
    mail["To"] = "Grace <grace@example.org>"
    mail["Subject"] = subject
    mail["List-Unsubscribe"] = "<http://127.0.0.1:8080/unsubscribe?token=t>"
    mail.set_content(text)
    mail.add_alternative(f"<p>{text}</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(mail)


async def test_mails_sent_to_the_sink_are_listed_newest_first(tmp_path: Path) -> None:
    port = free_port()
    config = EdgeConfig.model_validate(
        {
            "port": 0,
            "grpc_routes": {},
            "mail_sink": {"port": port, "directory": str(tmp_path / "mails")},
        }
    )
    runner = web.AppRunner(build_edge(config), handler_cancellation=HANDLER_CANCELLATION)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        await asyncio.to_thread(send, port, "Ada added you to Handbook", "Open it: http://x/")
        await asyncio.to_thread(send, port, "Your answer is ready", "How do I get a laptop?")
        async with aiohttp.ClientSession() as client, client.get(f"{base}/local/mails") as reply:
            assert reply.status == 200
            mails = (await reply.json())["mails"]
    finally:
        await runner.cleanup()
    assert [mail["subject"] for mail in mails] == [
        "Your answer is ready",
        "Ada added you to Handbook",
    ]
    assert mails[0]["to"] == "Grace <grace@example.org>"
    assert mails[0]["text"].strip() == "How do I get a laptop?"
    assert mails[1]["unsubscribe"] == "<http://127.0.0.1:8080/unsubscribe?token=t>"
    assert len(list((tmp_path / "mails").glob("*.eml"))) == 2


async def test_an_edge_without_the_sink_has_no_mail_list() -> None:
    async with (
        running_edge() as base,
        aiohttp.ClientSession() as client,
        client.get(f"{base}/local/mails") as reply,
    ):
        assert reply.status in (404, 405)  # no such page; gRPC-web is POST only
