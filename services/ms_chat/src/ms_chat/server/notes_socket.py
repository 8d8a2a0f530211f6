"""The worked example over WebSocket: ask for a note by name, get it back as JSON."""

from __future__ import annotations

import json
from typing import Any

from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import DomainError
from websockets.asyncio.server import ServerConnection

from ..service.notes import NoteUseCases

USAGE = 'frames must be JSON objects like {"get": "notes/..."}'


class NoteSocket:
    """Answers each frame `{"get": "notes/..."}` with `{"note": {...}}` or `{"error": {...}}`."""

    def __init__(self, use_cases: NoteUseCases) -> None:
        self._use_cases = use_cases

    async def __call__(self, connection: ServerConnection, principal: Principal) -> None:
        async for frame in connection:
            await connection.send(json.dumps(await self.answer(frame)))

    async def answer(self, frame: str | bytes) -> dict[str, Any]:
        try:
            request = json.loads(frame)
        except ValueError:
            return _error("invalid_argument", USAGE)
        if not isinstance(request, dict) or not isinstance(request.get("get"), str):
            return _error("invalid_argument", USAGE)
        try:
            note = await self._use_cases.get_note(request["get"])
        except DomainError as refused:
            return _error(refused.status_code.name.lower(), refused.message)
        return {
            "note": {"name": note.name, "title": note.title, "body": note.body, "etag": note.etag}
        }


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
