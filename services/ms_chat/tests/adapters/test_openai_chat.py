"""The generative answerer against a real HTTP server speaking the streaming chat-completions
protocol (server-sent events over HTTP/1.1). No language model can run here, so the server
replays scripted completions: the closest real thing to one."""

from __future__ import annotations

import asyncio
import socket

from ms_chat.adapters.openai_chat import UNSUPPORTED_NOTE, OpenAIChatAnswerer
from ms_chat.domain.answers import (
    AnswerEvent,
    CitationMade,
    Finished,
    Outcome,
    Passage,
    TextDelta,
    Turn,
)
from ms_chat.domain.wording import NO_ANSWER_TEXT

from .completions_server import Script, completions_server

CONTENT = (
    "# Test broker\n\n"
    "The broker listens on port 9092. "
    "Its secure listener uses SCRAM-SHA-512 over TLS.\n\n"
    "Jars are cached under the user's cache directory."
)
BROKER = Passage(
    chunk="spaces/s/documents/d/chunks/0",
    document="spaces/s/documents/d",
    space="spaces/s",
    title="Test broker",
    revision=4,
    text=CONTENT[CONTENT.index("Its secure") :],
    start=CONTENT.index("Its secure"),
    end=len(CONTENT),
    score=0.9,
)
PORT = Passage(
    chunk="spaces/s/documents/d/chunks/1",
    document="spaces/s/documents/d",
    space="spaces/s",
    title="Test broker",
    revision=4,
    text=CONTENT[CONTENT.index("The broker") : CONTENT.index("Its secure")],
    start=CONTENT.index("The broker"),
    end=CONTENT.index("Its secure"),
    score=0.8,
)


async def _answer(
    answerer: OpenAIChatAnswerer, question: str = "How is the secure listener protected?"
) -> list[AnswerEvent]:
    return [event async for event in answerer.answer(question, [PORT, BROKER], ())]


def _text(events: list[AnswerEvent]) -> str:
    return "".join(event.text for event in events if isinstance(event, TextDelta))


def _citations(events: list[AnswerEvent]) -> list[CitationMade]:
    return [event for event in events if isinstance(event, CitationMade)]


async def test_streams_the_answer_with_its_markers_turned_into_citations() -> None:
    script = Script(
        pieces=("It uses SCRAM", "-SHA-512 over", " TLS [", "2]. The broker", " is on 9092 [1]."),
        usage=(120, 17),
    )
    async with completions_server(script) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "scripted-model"))

    deltas = [event for event in events if isinstance(event, TextDelta)]
    assert len(deltas) > 1, "the text streams in pieces"
    text = _text(events)
    assert text == "It uses SCRAM-SHA-512 over TLS. The broker is on 9092."
    first, second = _citations(events)
    assert text[first.answer_start : first.answer_end] == "It uses SCRAM-SHA-512 over TLS"
    assert first.passage == 1
    assert CONTENT[first.start : first.end] == "Its secure listener uses SCRAM-SHA-512 over TLS."
    assert text[second.answer_start : second.answer_end] == "The broker is on 9092"
    assert second.passage == 0
    assert CONTENT[second.start : second.end] == "The broker listens on port 9092."
    assert events[-1] == Finished(Outcome.COMPLETE, prompt_tokens=120, completion_tokens=17)
    request = server.requests[0]
    assert request["model"] == "scripted-model" and request["stream"] is True
    prompt = request["messages"][-1]["content"]
    assert "[1] Test broker" in prompt and "[2] Test broker" in prompt


async def test_a_citation_of_a_passage_not_given_is_dropped_never_shown() -> None:
    script = Script(pieces=("SCRAM over TLS [7]", " protects it [2]."))
    async with completions_server(script) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "m"))

    assert _text(events) == "SCRAM over TLS protects it."
    (citation,) = _citations(events)
    assert citation.passage == 1
    assert isinstance(events[-1], Finished) and events[-1].outcome is Outcome.COMPLETE


async def test_an_answer_citing_nothing_valid_is_no_answer() -> None:
    script = Script(pieces=("Probably Kerberos [9].",))
    async with completions_server(script) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "m"))

    assert _citations(events) == []
    assert _text(events) == f"Probably Kerberos. {UNSUPPORTED_NOTE}"
    assert isinstance(events[-1], Finished) and events[-1].outcome is Outcome.NO_ANSWER


async def test_a_model_that_does_not_know_is_answered_no_answer_in_the_services_words() -> None:
    script = Script(pieces=("I don't", " know."), usage=(80, 3))
    async with completions_server(script) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "m"), "Who wrote Hamlet?")

    assert _text(events) == NO_ANSWER_TEXT
    assert events[-1] == Finished(Outcome.NO_ANSWER, prompt_tokens=80, completion_tokens=3)


async def test_a_refused_connection_is_tried_again_until_the_server_is_up() -> None:
    with socket.socket() as probe:  # a port nothing listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answerer = OpenAIChatAnswerer(
        f"http://127.0.0.1:{port}/v1", "m", max_attempts=6, retry_seconds=0.2
    )
    answering = asyncio.create_task(_answer(answerer))
    await asyncio.sleep(0.1)
    async with completions_server(Script(pieces=("TLS [2].",)), port=port):
        events = await answering

    assert _text(events) == "TLS."
    assert isinstance(events[-1], Finished) and events[-1].outcome is Outcome.COMPLETE


async def test_a_server_never_up_fails_the_answer_naming_the_attempts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answerer = OpenAIChatAnswerer(
        f"http://127.0.0.1:{port}/v1", "m", max_attempts=2, retry_seconds=0.01
    )
    events = await _answer(answerer)

    (finished,) = events
    assert isinstance(finished, Finished) and finished.outcome is Outcome.FAILED
    assert "could not be reached after 2 attempts" in finished.error


async def test_a_busy_server_is_tried_again() -> None:
    async with completions_server(Script(status=503), Script(pieces=("Over TLS [2].",))) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "m", retry_seconds=0.01))

    assert _text(events) == "Over TLS."
    assert len(server.requests) == 2


async def test_a_server_that_never_answers_fails_with_a_clear_error() -> None:
    async with completions_server(Script(hang=True)) as server:
        events = await _answer(OpenAIChatAnswerer(server.base_url, "m", timeout_seconds=0.5))

    (finished,) = events
    assert isinstance(finished, Finished) and finished.outcome is Outcome.FAILED
    assert "did not answer within 0.5s" in finished.error


async def test_earlier_turns_are_sent_before_the_question() -> None:
    async with completions_server(Script(pieces=("On 9092 [1].",))) as server:
        answerer = OpenAIChatAnswerer(server.base_url, "m", api_key="secret-key")
        history = [Turn("What is the test broker?", "A Kafka broker.")]
        events = [e async for e in answerer.answer("Which port is it on?", [PORT, BROKER], history)]

    assert _text(events) == "On 9092."
    roles = [message["role"] for message in server.requests[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert server.requests[0]["messages"][1]["content"] == "What is the test broker?"
