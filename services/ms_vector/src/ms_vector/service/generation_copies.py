"""Filling a generation from another: the recorded passages of every document embedded again
by the new generation's model, and dropping a generation's chunks."""

from __future__ import annotations

import asyncio

from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunking import embedding_text
from ..domain.chunks import IndexedChunk, Passage
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
    its chunks; a document whose chunks changed meanwhile is left for the next pass."""
    async with sessions() as session:
        records = SqlIndexRecords(session)
        read = {name: await records.chunks_of(name, source) for name in documents}
    texts = [
        embedding_text(chunk.title, _passage(chunk)) for name in documents for chunk in read[name]
    ]
    vectors = await asyncio.to_thread(built.embedder.embed, texts)
    async with UnitOfWork(sessions) as uow:
        records = SqlIndexRecords(uow.session)
        offset = 0
        for name in documents:
            chunks = read[name]
            now = await records.chunks_of(name, source)
            if [chunk.id for chunk in now] == [chunk.id for chunk in chunks]:
                await records.copy_chunks(
                    name, chunks, vectors[offset : offset + len(chunks)], built.model
                )
            offset += len(chunks)
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


def _passage(chunk: IndexedChunk) -> Passage:
    return Passage(
        ordinal=chunk.ordinal,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        heading_path=chunk.heading_path,
    )
