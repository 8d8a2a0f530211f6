"""Filling a generation from another: the recorded passages of every document embedded again
by the new generation's model, and dropping a generation's chunks."""

from __future__ import annotations

import asyncio

import numpy as np
from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunking import embedding_text
from ..domain.chunks import IndexedChunk, Passage
from ..domain.ports import Vectors
from ..repository.index_records import SqlIndexRecords
from .live_index import Generation

DROP_BATCH = 2_000


async def missing_documents(
    sessions: async_sessionmaker[AsyncSession], built: str, source: str
) -> tuple[list[str], int]:
    """The documents whose chunks of model `source` are of a revision the chunks of model
    `built` are not (or that `built` lacks), and how many documents `source` holds."""
    async with sessions() as session:
        records = SqlIndexRecords(session)
        wanted = await records.revisions_by_document(source)
        held = await records.revisions_by_document(built)
    return sorted(name for name, rev in wanted.items() if held.get(name) != rev), len(wanted)


async def copy_documents(
    sessions: async_sessionmaker[AsyncSession],
    built: Generation,
    source: str,
    documents: list[str],
) -> None:
    """Embed `documents`' chunks of model `source` again by `built`'s model and record them as
    its chunks (one read, one embedding call and one transaction for all); a document whose
    chunks changed meanwhile is left for the next pass."""
    async with sessions() as session:
        read = await SqlIndexRecords(session).chunks_of_documents(documents, source)
    texts = [
        embedding_text(chunk.title, _passage(chunk)) for name in documents for chunk in read[name]
    ]
    vectors = await asyncio.to_thread(built.embedder.embed, texts)
    by_document: dict[str, Vectors] = {}
    offset = 0
    for name in documents:
        by_document[name] = vectors[offset : offset + len(read[name])]
        offset += len(read[name])
    async with UnitOfWork(sessions) as uow:
        records = SqlIndexRecords(uow.session)
        now = await records.chunks_of_documents(documents, source)
        unchanged = [name for name in documents if _ids(now[name]) == _ids(read[name])]
        if unchanged:
            await records.copy_chunks(
                {name: read[name] for name in unchanged},
                np.concatenate([by_document[name] for name in unchanged]),
                built.model,
            )
        await uow.commit()
    await built.index.refresh(documents)


async def drop_chunks(sessions: async_sessionmaker[AsyncSession], model: str) -> None:
    """Delete every chunk of `model`, in batches."""
    while True:
        async with UnitOfWork(sessions) as uow:
            dropped = await SqlIndexRecords(uow.session).drop_model_chunks(model, DROP_BATCH)
            await uow.commit()
        if dropped < DROP_BATCH:
            return


def _ids(chunks: list[IndexedChunk]) -> list[int]:
    return [chunk.id for chunk in chunks]


def _passage(chunk: IndexedChunk) -> Passage:
    return Passage(
        ordinal=chunk.ordinal,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        heading_path=chunk.heading_path,
    )
