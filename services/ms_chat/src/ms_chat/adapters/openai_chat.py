"""The generative answerer: a language model behind the OpenAI-compatible chat-completions API
(vLLM, Ollama, llama.cpp's server and hosted providers serve it), streamed.

The model is sent the passages numbered and told to cite them like [1] (domain/prompt.py). Its
answer streams through as it comes (server-sent events, `data: {...}` then `data: [DONE]`), the
markers taken out of the text and checked: a number naming a passage given becomes a citation of
the sentence before it, pointing at the passage's sentence that best matches it (or the whole
passage); any other number is dropped, never shown. The first sentence is held until it is
complete: a model that declines ("I don't know.") is answered NO_ANSWER with the service's own
sentence, and so is an answer that cites no passage at all (a note saying so follows its text).

A connection refused, reset, or a server busy (429, 502, 503, 504) before any text was shown is
tried again, up to `max_attempts` times; after text was shown the answer fails instead (it would
not be the same answer twice). No byte for `timeout_seconds` fails the answer with a clear error.
Token usage comes from the last chunk when the server sends one (`stream_options.include_usage`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from ..domain.answers import (
    AnswerEvent,
    CitationMade,
    Finished,
    Outcome,
    Passage,
    TextDelta,
    Turn,
)
from ..domain.grounding import cited_span
from ..domain.markers import Marked, MarkerReader
from ..domain.prompt import declines, messages
from ..domain.wording import NO_ANSWER_TEXT

UNSUPPORTED_NOTE = "(The sources do not support this answer: it cites none of them.)"
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# The first sentence is held this long at most before it is shown.
_HOLD_CHARS = 160
_FIRST_SENTENCE_END = (".", "!", "?", "\n")


class _Retry(Exception):
    """The server could not be reached or was busy: worth trying again if nothing was shown."""


class _Failed(Exception):
    """The answer cannot be had from this server."""


class OpenAIChatAnswerer:
    """Answers with a language model over the OpenAI-compatible streaming API at `base_url`
    (the part before /chat/completions, e.g. http://localhost:8000/v1)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_seconds: float = 60.0,
        max_attempts: int = 3,
        retry_seconds: float = 0.25,
        temperature: float = 0.0,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._headers = {"Accept": "text/event-stream"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = timeout_seconds
        self._attempts = max(1, max_attempts)
        self._retry_seconds = retry_seconds
        self._temperature = temperature

    @property
    def name(self) -> str:
        return self._model or "openai"

    async def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> AsyncIterator[AnswerEvent]:
        body = {
            "model": self._model,
            "messages": messages(question, passages, history),
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": self._temperature,
        }
        for attempt in range(1, self._attempts + 1):
            answer = _Answer(passages)
            try:
                async for event in answer.events(self._chunks(body)):
                    yield event
                return
            except _Retry as error:
                if answer.shown or attempt == self._attempts:
                    yield Finished(Outcome.FAILED, error=self._failure(error, attempt, answer))
                    return
                await asyncio.sleep(self._retry_seconds * 2 ** (attempt - 1))
            except httpx.TimeoutException:
                error_text = f"the language model did not answer within {self._timeout:g}s"
                yield Finished(Outcome.FAILED, error=f"{error_text} ({self._url})")
                return
            except (_Failed, httpx.HTTPError) as error:
                yield Finished(Outcome.FAILED, error=f"the language model failed: {error}")
                return

    def _failure(self, error: _Retry, attempt: int, answer: _Answer) -> str:
        if answer.shown:
            return f"the language model's answer broke off: {error}"
        return f"the language model could not be reached after {attempt} attempts: {error}"

    async def _chunks(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The completion's chunks, as the server streams them."""
        try:
            async with (
                httpx.AsyncClient(timeout=httpx.Timeout(self._timeout)) as client,
                client.stream("POST", self._url, json=body, headers=self._headers) as response,
            ):
                if response.status_code != 200:
                    detail = (await response.aread())[:300].decode("utf-8", "replace")
                    problem = f"{self._url} answered {response.status_code}: {detail}"
                    if response.status_code in _RETRIED_STATUSES:
                        raise _Retry(problem)
                    raise _Failed(problem)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue  # comments, event names, blank lines between events
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    chunk = json.loads(data)
                    if not isinstance(chunk, dict):
                        raise _Failed(f"not a completion chunk: {data[:100]}")
                    if "error" in chunk:
                        raise _Failed(f"the server reported: {chunk['error']}")
                    yield chunk
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as error:
            raise _Retry(f"{self._url}: {error or type(error).__name__}") from error
        except httpx.ReadError as error:
            raise _Retry(f"{self._url}: the connection was lost ({error})") from error
        except json.JSONDecodeError as error:
            raise _Failed(f"a chunk that is not JSON: {error}") from error


class _Answer:
    """One attempt's answer: the text shown, the citations made, the usage reported."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._reader = MarkerReader(len(passages))
        self._held: list[str] = []
        self._held_marks: list[Marked] = []
        self._deciding = True
        self._declines = False
        self.shown = False
        self._cited = 0
        self._prompt_tokens = 0
        self._completion_tokens = 0

    async def events(self, chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[AnswerEvent]:
        async for chunk in chunks:
            usage = chunk.get("usage")
            if isinstance(usage, dict):
                self._prompt_tokens = int(usage.get("prompt_tokens") or 0)
                self._completion_tokens = int(usage.get("completion_tokens") or 0)
            content = _content(chunk)
            if not content or self._declines:  # read on for the usage, show nothing more
                continue
            text, marks = self._reader.feed(content)
            for event in self._take(text, marks):
                yield event
        if not self._declines:
            for event in self._take(self._reader.finish(), [], final=True):
                yield event
        if self._declines:
            for event in _said(NO_ANSWER_TEXT):
                yield event
            yield self._finished(Outcome.NO_ANSWER)
            return
        if self._cited == 0:
            for event in _said((" " if self.shown else "") + UNSUPPORTED_NOTE):
                yield event
            yield self._finished(Outcome.NO_ANSWER)
            return
        yield self._finished(Outcome.COMPLETE)

    def _take(self, text: str, marks: list[Marked], *, final: bool = False) -> list[AnswerEvent]:
        """The events for new text and markers; the first sentence is held until it is whole,
        then shown unless it declines."""
        if self._deciding:
            self._held.append(text)
            self._held_marks.extend(marks)
            held = "".join(self._held)
            stripped = held.strip()
            complete = stripped.endswith(_FIRST_SENTENCE_END) or any(
                end + " " in held for end in _FIRST_SENTENCE_END
            )
            if not (final or complete or len(held) >= _HOLD_CHARS):
                return []
            self._deciding = False
            if declines(held) or not stripped:
                self._declines = True
                return []  # held back for good: the answer says the sources do not answer
            text, marks = held, self._held_marks
            self._held, self._held_marks = [], []
        events: list[AnswerEvent] = []
        if text:
            events.append(TextDelta(text))
            self.shown = True
        for mark in marks:
            passage = self._passages[mark.passage]
            claim = self._reader.text[mark.answer_start : mark.answer_end]
            start, end = cited_span(passage, claim)
            events.append(
                CitationMade(mark.passage, start, end, mark.answer_start, mark.answer_end)
            )
            self._cited += 1
        return events

    def _finished(self, outcome: Outcome) -> Finished:
        return Finished(outcome, self._prompt_tokens, self._completion_tokens)


def _content(chunk: dict[str, Any]) -> str:
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    delta = choices[0].get("delta")
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


def _said(text: str) -> list[AnswerEvent]:
    return [TextDelta(text)]
