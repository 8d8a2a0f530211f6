"""Stopping an answer being produced: asked here or through another instance, it ends STOPPED
with what it had, its stream ends with it, and AnswerCompleted says so. The answers come from
a language model server that is still thinking (a real HTTP server that has not answered)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from knowledge.chat.v1 import events_pb2
from knowledge_kit.auth.principal import Principal
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_chat.config import Settings
from ms_chat.domain.messages import AnswerStatus
from ms_chat.domain.stream import Answered, SourcesFound, StreamEvent
from ms_chat.main import ChatParts
from ms_chat.service.answerers import answerer_from
from ms_chat.service.answering import StreamRequest

from ..adapters.completions_server import CompletionsServer, Script, completions_server
from ..conftest import running_chat
from ..support import ADA, Platform, published

QUESTION = "Where do new employees get their laptop?"


@pytest_asyncio.fixture
async def thinking_model() -> AsyncIterator[CompletionsServer]:
    async with completions_server(Script(hang=True), Script(hang=True)) as server:
        yield server


@pytest_asyncio.fixture
async def instances(
    sessions: async_sessionmaker[AsyncSession],
    vector_target: tuple[str, Any, Any],
    thinking_model: CompletionsServer,
) -> AsyncIterator[tuple[ChatParts, ChatParts]]:
    """Two instances of the service on one database, answering with the language model."""
    settings = Settings(answerer="openai", llm_base_url=thinking_model.base_url, llm_model="m")
    answerer = answerer_from(settings)
    first = running_chat(sessions, vector_target[0], answerer)
    second = running_chat(sessions, vector_target[0], answerer)
    here, there = await anext(first), await anext(second)
    yield here, there
    for running in (first, second):
        with pytest.raises(StopAsyncIteration):
            await anext(running)


async def answering(
    chat: ChatParts, principal: Principal, conversation: str
) -> tuple[str, AsyncIterator[StreamEvent]]:
    """An answer started, followed until the language model was asked."""
    stream = chat.answering.stream(principal, StreamRequest(parent=conversation, content=QUESTION))
    async for event in stream:
        if isinstance(event.item, SourcesFound):
            return event.answer, stream
    raise AssertionError("the answer ended before its sources")


@pytest.mark.parametrize("where", ["here", "through another instance"])
async def test_a_stopped_answer_ends_stopped_and_its_stream_with_it(
    instances: tuple[ChatParts, ChatParts],
    platform: Platform,
    mint_token: Callable[..., str],
    sessions: async_sessionmaker[AsyncSession],
    where: str,
) -> None:
    here, there = instances
    await platform.handbook_and_finance()
    principal = Principal(name=ADA, token=mint_token(ADA))
    conversation = (await here.conversations.create(ADA, ADA, "", ())).name
    answer, stream = await answering(here, principal, conversation)

    stopper = here if where == "here" else there
    stopped = await stopper.answering.stop(ADA, answer)
    rest = [event async for event in stream]

    assert stopped.status is AnswerStatus.STOPPED
    final = rest[-1].item
    assert isinstance(final, Answered) and final.message.status is AnswerStatus.STOPPED
    assert final.message.usage is not None and final.message.usage.passages >= 1
    completed = [e for e in await published(sessions) if isinstance(e, events_pb2.AnswerCompleted)]
    assert [(e.message, int(e.status)) for e in completed] == [(answer, AnswerStatus.STOPPED)]
    again = await stopper.answering.stop(ADA, answer)  # already ended: returned as it is
    assert again == stopped
