"""Answers reranked by a model ms_ml serves: a version ms_ml's built-in `reranker` recipe trained
(on questions other than the one asked here), registered and deployed in a real ms_ml served in
process, reorders what a real ms_vector retrieved, and the answer cites the passage the first
stage ranked lower. With ms_ml stopped, past the reranker's deadline, or refusing (a deployment
it does not know), the question is still answered, from the first stage's order, and the skip is
counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from knowledge_kit.api import PageTokens
from knowledge_kit.auth.principal import Principal
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import MemberRole
from ms_ml import main as ml_main
from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings as MlSettings
from ms_ml.recipes.catalogue import RECIPES
from ms_ml.recipes.params import read_params
from ms_ml.recipes.reporting import CollectingReporter, TrainingOutcome
from ms_ml.recipes.reranker import train
from ms_ml.service.registry import ModelFields
from ms_vector import main as vector_main
from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings as VectorSettings
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_chat.adapters.ml_reranker import MlReranker
from ms_chat.adapters.vector_search import VectorSearch
from ms_chat.config import Settings
from ms_chat.domain.answers import Answerer
from ms_chat.domain.messages import AnswerStatus
from ms_chat.domain.ports import Retriever
from ms_chat.domain.stream import Answered, StreamEvent
from ms_chat.main import ChatParts, chat_parts
from ms_chat.service.answering import StreamRequest
from ms_chat.service.reranking import RerankedRetriever, reranking_counter

from ..conftest import _NoDocumentSource
from ..support import ADA, Platform

CORPUS = RECIPES["reranker"].default_dataset / "corpus"
DOCS = "spaces/docs"
# A question the recipe holds out (seed 7): the first stage ranks a passage of the kit's README
# first; the one that answers it, in ms_knowledge's README, second.
QUESTION = "Who becomes the owner of a newly created space?"
ANSWERING_DOCUMENT = f"{DOCS}/documents/ms-knowledge"
FIRST_STAGE_DOCUMENT = f"{DOCS}/documents/kit"
MODEL = "models/reranker"
OWNER = "users/ml-admin"


@pytest.fixture(scope="session")
def trained_reranker(
    tmp_path_factory: pytest.TempPathFactory, vector_embedder: WordLlamaEmbedder
) -> TrainingOutcome:
    """The built-in recipe's output, as a training job writes it (default parameters)."""
    recipe = RECIPES["reranker"]
    return train(
        read_params(recipe.params, {}),
        recipe.default_dataset,
        tmp_path_factory.mktemp("reranker"),
        CollectingReporter(),
        vector_embedder,
    )


@pytest_asyncio.fixture
async def docs_vector(
    tmp_path: Path,
    vector_embedder: WordLlamaEmbedder,
    start_grpc_server: Callable[..., Any],
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[str]:
    """ms_vector with the platform's READMEs indexed in a space Ada reads (its default chunking)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'vector.db'}"
    await upgrade_database(url, vector_main.MIGRATIONS)
    engine = create_database_engine(url)
    vector_sessions = session_factory(engine)
    dense = FaissVectorIndex(vector_embedder.dimensions, tmp_path / "index.npz")
    parts = vector_main.vector_parts(
        VectorSettings(),
        vector_sessions,
        Outbox("ms_vector"),
        vector_embedder,
        dense,
        _NoDocumentSource(),
    )
    await parts.live.load()
    platform = Platform(sessions, vector_sessions, parts)
    await platform.add(DOCS, OWNER, MemberRole.OWNER)
    await platform.add(DOCS, ADA)
    for path in sorted(CORPUS.glob("*.md")):
        content = path.read_text(encoding="utf-8")
        title = content.splitlines()[0].lstrip("# ").strip()
        await platform.write(
            f"{DOCS}/documents/{path.stem.replace('_', '-')}", content, owner=OWNER, title=title
        )
    running = await start_grpc_server(*vector_main.servicers(parts))
    yield running.target
    await dense.close()
    await engine.dispose()


@pytest_asyncio.fixture
async def ml_server(
    tmp_path: Path,
    trained_reranker: TrainingOutcome,
    start_grpc_server: Callable[..., Any],
) -> AsyncIterator[tuple[Any, str]]:
    """A real ms_ml on its own database, the recipe's reranker registered as a version of
    models/reranker and served by models/reranker/deployments/chat: (server, deployment)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'ml.db'}"
    await upgrade_database(url, ml_main.MIGRATIONS)
    engine = create_database_engine(url)
    settings = MlSettings(
        artifact_dir=str(tmp_path / "artifacts"),
        artifact_cache_dir=str(tmp_path / "artifact-cache"),
        training_work_dir=str(tmp_path / "training"),
    )
    store = LocalArtifactStore(Path(settings.artifact_dir), max_bytes=settings.artifact_max_bytes)
    parts = ml_main.ml_parts(
        settings, session_factory(engine), Outbox("ms_ml"), store, PageTokens(b"tests")
    )
    await parts.registry.create_model("reranker", ModelFields(task="reranking"), OWNER)
    version = await parts.registration.register_trained_version(
        model=MODEL,
        artifact=trained_reranker.artifact,
        format=trained_reranker.format,
        metrics=trained_reranker.metrics,
        params={},
        training_job="",
        description=trained_reranker.description,
        actor=OWNER,
    )
    deployment = await parts.deployments.create(MODEL, "chat", (), version, 1, OWNER)
    running = await start_grpc_server(*ml_main.servicers(parts))
    yield running, deployment.name
    await engine.dispose()


async def answer_of(
    sessions: async_sessionmaker[AsyncSession],
    vector: str,
    answerer: Answerer,
    asker: Principal,
    reranked: Callable[[Retriever], Retriever] | None = None,
) -> tuple[list[str], AnswerStatus]:
    """The documents the answer cites, in order, and its status: one passage given to the
    answerer, as `max_citations=1` asks."""
    async with grpc.aio.insecure_channel(vector) as channel:
        first_stage: Retriever = VectorSearch(channel)
        retriever = reranked(first_stage) if reranked else first_stage
        parts = chat_parts(Settings(), sessions, Outbox("ms_chat"), retriever, answerer)
        stop = asyncio.Event()
        producing = asyncio.create_task(parts.producers.run(stop))
        try:
            return await _ask(parts, asker)
        finally:
            stop.set()
            await producing


async def _ask(parts: ChatParts, asker: Principal) -> tuple[list[str], AnswerStatus]:
    conversation = (await parts.conversations.create(ADA, ADA, "", ())).name
    request = StreamRequest(parent=conversation, content=QUESTION, max_citations=1)
    events: list[StreamEvent] = [e async for e in parts.answering.stream(asker, request)]
    answered = events[-1].item
    assert isinstance(answered, Answered)
    message = answered.message
    return [citation.document for citation in message.citations], message.status


@pytest.fixture
def ada(mint_token: Callable[..., str]) -> Principal:
    return Principal(name=ADA, token=mint_token(ADA))


async def test_the_deployed_reranker_changes_which_passage_the_answer_cites(
    sessions: async_sessionmaker[AsyncSession],
    docs_vector: str,
    ml_server: tuple[Any, str],
    answerer: Answerer,
    ada: Principal,
) -> None:
    running, deployment = ml_server
    registry = CollectorRegistry()
    counter = reranking_counter(registry)

    unreranked, status = await answer_of(sessions, docs_vector, answerer, ada)
    assert status is AnswerStatus.COMPLETE
    assert unreranked[0] == FIRST_STAGE_DOCUMENT

    async with grpc.aio.insecure_channel(running.target) as ml_channel:
        reranked, status = await answer_of(
            sessions,
            docs_vector,
            answerer,
            ada,
            # A deadline generous enough for a loaded machine.
            lambda first: RerankedRetriever(
                first, MlReranker(ml_channel, deployment, timeout_seconds=30), counter=counter
            ),
        )
    assert status is AnswerStatus.COMPLETE
    assert reranked[0] == ANSWERING_DOCUMENT
    assert registry.get_sample_value("chat_reranking_total", {"outcome": "reranked"}) == 1


# How a reranker may fail to answer, and the outcome counted: ms_ml stopped before the question;
# a deadline nothing meets; a deployment ms_ml does not know.
FAILURES = {
    "unavailable": (True, "", 30.0),
    "timed_out": (False, "", 0.000001),
    "refused": (False, f"{MODEL}/deployments/gone", 30.0),
}


@pytest.mark.parametrize("outcome", list(FAILURES))
async def test_when_the_reranker_fails_the_first_stages_order_answers_and_the_skip_is_counted(
    sessions: async_sessionmaker[AsyncSession],
    docs_vector: str,
    ml_server: tuple[Any, str],
    answerer: Answerer,
    ada: Principal,
    outcome: str,
) -> None:
    running, deployment = ml_server
    stopped, other_deployment, timeout_seconds = FAILURES[outcome]
    if stopped:
        await running.server.stop(0)
    registry = CollectorRegistry()
    counter = reranking_counter(registry)

    async with grpc.aio.insecure_channel(running.target) as ml_channel:
        reranker = MlReranker(
            ml_channel, other_deployment or deployment, timeout_seconds=timeout_seconds
        )
        cited, status = await answer_of(
            sessions,
            docs_vector,
            answerer,
            ada,
            lambda first: RerankedRetriever(first, reranker, counter=counter),
        )
    assert status is AnswerStatus.COMPLETE
    assert cited[0] == FIRST_STAGE_DOCUMENT
    assert registry.get_sample_value("chat_reranking_total", {"outcome": outcome}) == 1
