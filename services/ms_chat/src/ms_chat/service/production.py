"""Producing one answer: retrieve passages as the asker, let the answerer write from them, and
log every event in order (sources, text in sensible pieces, citations, the answer as stored),
publishing AnswerCompleted with the stored answer in the same transaction."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import structlog
from knowledge.chat.v1 import events_pb2 as events
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import DomainError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.answers import (
    Answerer,
    AnswerEvent,
    CitationMade,
    Finished,
    Outcome,
    Passage,
    TextDelta,
    Turn,
)
from ..domain.messages import AnswerStatus, Citation, Message, Usage
from ..domain.ports import Retriever
from ..domain.stream import EventKind
from ..proto_messages import citation_message
from ..repository.work import ChatWork
from .recording import AnswerRecorder
from .signals import AnswerSignals

_log = structlog.get_logger("ms_chat.answers")

# Events waiting between the answerer and the log.
_QUEUE = 256
# The longest query ms_vector accepts.
MAX_RETRIEVAL_QUERY_CHARS = 1024
_STATUS = {
    Outcome.COMPLETE: AnswerStatus.COMPLETE,
    Outcome.NO_ANSWER: AnswerStatus.NO_ANSWER,
    Outcome.FAILED: AnswerStatus.FAILED,
}


@dataclass(frozen=True, slots=True)
class AnswerJob:
    """An answer to produce: the stored (still answering) answer and its question."""

    answer: Message
    question: Message
    asker: str
    token: str
    spaces: tuple[str, ...] | None  # None: every space the asker can read
    passages: int
    history: tuple[Turn, ...]
    asked_at: float  # time.monotonic() when the question came
    next_sequence: int


@dataclass(frozen=True, slots=True)
class Chunking:
    """Text is logged once `chars` characters wait, or `seconds` after the first of them."""

    chars: int = 64
    seconds: float = 0.05


class _Draft:
    """The answer as produced so far."""

    def __init__(self, job: AnswerJob) -> None:
        self.job = job
        self.parts: list[str] = []
        self.length = 0
        self.pending: list[str] = []
        self.pending_since = 0.0
        self.citations: list[Citation] = []
        self.passages: list[Passage] = []
        self.first_text_at: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class AnswerProducer:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        signals: AnswerSignals,
        retriever: Retriever,
        answerer: Answerer,
        chunking: Chunking = Chunking(),
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._signals = signals
        self._retriever = retriever
        self._answerer = answerer
        self._chunking = chunking

    async def produce(self, job: AnswerJob, cancelled_as: dict[str, AnswerStatus]) -> Message:
        """The answer as stored at the end. Cancelled, it ends with the status in
        `cancelled_as` (STOPPED unless the service is stopping), keeping its text so far."""
        recorder = AnswerRecorder(
            self._sessions, self._signals, job.answer.name, next_sequence=job.next_sequence
        )
        draft = _Draft(job)
        try:
            finished = await self._write(job, recorder, draft)
            status, error = _STATUS[finished.outcome], finished.error
            usage = (finished.prompt_tokens, finished.completion_tokens)
        except asyncio.CancelledError:
            status = cancelled_as.get(job.answer.name, AnswerStatus.STOPPED)
            error, usage = "the service stopped while answering", (0, 0)
        except DomainError as failure:  # the retrieval unavailable or refused
            status, error, usage = AnswerStatus.FAILED, failure.message, (0, 0)
        except Exception as failure:
            _log.exception("answer_failed", answer=job.answer.name)
            status, error, usage = AnswerStatus.FAILED, type(failure).__name__, (0, 0)
        if status is AnswerStatus.FAILED:
            _log.warning("answer_failed", answer=job.answer.name, error=error)
        return await asyncio.shield(self._finish(recorder, draft, status, usage))

    async def _write(self, job: AnswerJob, recorder: AnswerRecorder, draft: _Draft) -> Finished:
        passages: list[Passage] = []
        if job.spaces is None or job.spaces:
            passages = await self._retriever.retrieve(
                job.token,
                job.question.content[:MAX_RETRIEVAL_QUERY_CHARS],
                job.spaces or (),
                job.passages,
            )
        draft.passages = passages
        await recorder.sources([_source(passage) for passage in passages])
        stream = self._answerer.answer(job.question.content, passages, job.history)
        finished = Finished(Outcome.FAILED, error="the answerer ended without finishing")
        async for event in self._coalesced(stream, draft, recorder):
            if isinstance(event, CitationMade):
                citation = _citation(event, draft)
                if citation is None:
                    _log.warning("answer_citation_refused", answer=job.answer.name)
                    continue
                draft.citations.append(citation)
                await recorder.citation(citation)
            elif isinstance(event, Finished):
                finished = event
                break
        return finished

    async def _coalesced(
        self, stream: AsyncIterator[AnswerEvent], draft: _Draft, recorder: AnswerRecorder
    ) -> AsyncIterator[AnswerEvent]:
        """The answerer's events but text, which goes to the log in pieces of about
        `chunking.chars` characters (or what arrived within `chunking.seconds`); waiting text
        is logged before any other event."""
        queue: asyncio.Queue[AnswerEvent | _Failure | None] = asyncio.Queue(_QUEUE)

        async def pump() -> None:
            try:
                async for event in stream:
                    await queue.put(event)
                await queue.put(None)
            except Exception as failure:
                await queue.put(_Failure(failure))

        pumping = asyncio.create_task(pump())
        try:
            while True:
                timeout = None
                if draft.pending:
                    elapsed = time.monotonic() - draft.pending_since
                    timeout = max(self._chunking.seconds - elapsed, 0.0)
                try:
                    event = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    await _flush(draft, recorder)
                    continue
                if isinstance(event, TextDelta):
                    _add_text(draft, event.text)
                    if sum(map(len, draft.pending)) >= self._chunking.chars:
                        await _flush(draft, recorder)
                    continue
                await _flush(draft, recorder)
                if event is None:
                    return
                if isinstance(event, _Failure):
                    raise event.error
                yield event
        finally:
            pumping.cancel()
            await asyncio.gather(pumping, return_exceptions=True)

    async def _finish(
        self,
        recorder: AnswerRecorder,
        draft: _Draft,
        status: AnswerStatus,
        tokens: tuple[int, int],
    ) -> Message:
        job = draft.job
        await _flush(draft, recorder)
        now = time.monotonic()
        first = draft.first_text_at
        answer = replace(
            job.answer,
            content=draft.text,
            status=status,
            citations=tuple(draft.citations),
            usage=Usage(
                model=self._answerer.name,
                prompt_tokens=tokens[0],
                completion_tokens=tokens[1],
                passages=len(draft.passages),
                first_token_ms=_ms(first - job.asked_at) if first is not None else 0,
                total_ms=_ms(now - job.asked_at),
            ),
        )
        async with UnitOfWork(self._sessions) as uow:
            work = ChatWork(uow.session, self._outbox)
            if not await work.messages.finish(answer):
                stored = await work.messages.get(answer.name)
                return stored or answer  # stopped elsewhere, or deleted
            await work.log.append(
                answer.name, recorder.take_sequence(), EventKind.ANSWER, {"message": answer.name}
            )
            await work.record(_completed(job, answer), conversation=answer.conversation)
            await uow.commit()
        recorder.notify()
        return answer


def _add_text(draft: _Draft, text: str) -> None:
    if not text:
        return
    if draft.first_text_at is None:
        draft.first_text_at = time.monotonic()
    if not draft.pending:
        draft.pending_since = time.monotonic()
    draft.pending.append(text)
    draft.parts.append(text)
    draft.length += len(text)


async def _flush(draft: _Draft, recorder: AnswerRecorder) -> None:
    if draft.pending:
        text = "".join(draft.pending)
        draft.pending.clear()
        await recorder.text(text)


def _source(passage: Passage) -> Citation:
    return Citation(
        document=passage.document,
        chunk=passage.chunk,
        title=passage.title,
        snippet=passage.text,
        revision=passage.revision,
        start=passage.start,
        end=passage.end,
        score=passage.score,
    )


def _citation(event: CitationMade, draft: _Draft) -> Citation | None:
    """The citation, when it names a span of a passage given and of the text so far."""
    if not 0 <= event.passage < len(draft.passages):
        return None
    passage = draft.passages[event.passage]
    if not passage.start <= event.start < event.end <= passage.end:
        return None
    if not 0 <= event.answer_start < event.answer_end <= draft.length:
        return None
    return replace(
        _source(passage),
        snippet=passage.text[event.start - passage.start : event.end - passage.start],
        start=event.start,
        end=event.end,
        answer_start=event.answer_start,
        answer_end=event.answer_end,
    )


def _ms(seconds: float) -> int:
    return min(int(seconds * 1000), 2**31 - 1)


def _completed(job: AnswerJob, answer: Message) -> events.AnswerCompleted:
    usage = answer.usage or Usage()
    return events.AnswerCompleted(
        message=answer.name,
        conversation=answer.conversation,
        user=job.asker,
        question=job.question.content,
        citations=[citation_message(citation) for citation in answer.citations],
        model=usage.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        status=int(answer.status),  # type: ignore[arg-type]
        content=answer.content,
    )
