"""A real HTTP server speaking the streaming chat-completions protocol, replaying scripted
completions: no language model can run here, so this is the closest real thing to one."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Script:
    """One completion: the content pieces streamed (each its own chunk), the usage sent in a
    last chunk, an HTTP status other than 200, or a server that never answers."""

    pieces: tuple[str, ...] = ()
    usage: tuple[int, int] | None = None
    status: int = 200
    hang: bool = False


@dataclass
class CompletionsServer:
    """Serves POST /v1/chat/completions on 127.0.0.1, one script per request, in order."""

    scripts: deque[Script] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.requests.append(json.loads(await reader.readexactly(length)))
            script = self.scripts.popleft()
            if script.hang:
                await reader.read()  # until the client gives up and closes
                return
            if script.status != 200:
                body = b'{"error": {"message": "busy"}}'
                writer.write(
                    f"HTTP/1.1 {script.status} Busy\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                return
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
            )
            writer.write(b": a comment line, as some servers send\n\n")
            for piece in script.pieces:
                chunk = {
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"content": piece}}],
                }
                writer.write(f"data: {json.dumps(chunk)}\n\n".encode())
                await writer.drain()
                await asyncio.sleep(0)
            if script.usage is not None:
                usage = {"prompt_tokens": script.usage[0], "completion_tokens": script.usage[1]}
                writer.write(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode())
            writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def completions_server(*scripts: Script, port: int = 0) -> AsyncIterator[CompletionsServer]:
    """The server running until the block ends."""
    state = CompletionsServer(deque(scripts))
    server = await asyncio.start_server(state.handle, "127.0.0.1", port)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        for writer in state.writers:  # a hanging completion too
            writer.close()
        await server.wait_closed()
