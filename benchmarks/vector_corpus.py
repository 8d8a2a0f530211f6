"""What ms_vector's service benchmarks index: documents of this repository's own prose, recorded
in a database migrated with the service's migrations, as its event handlers would record them.

A document is Markdown: a title, sections with headings, paragraphs of 2 to 5 consecutive
sentences of the repository's Markdown, docstrings and comments (one sentence in three
paragraphs taken from elsewhere), so that chunking cuts it as it cuts a knowledge base's pages
and the embeddings cluster as theirs do. Queries are sentences of the same prose with a third of
their words dropped.
"""

from __future__ import annotations

import ast
import os
import random
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox, outbox_events
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings
from ms_vector.domain.chunking import cut_passages
from ms_vector.domain.chunks import DocumentRevision
from ms_vector.domain.ports import Embedder
from ms_vector.main import MIGRATIONS
from ms_vector.repository.work import VectorWork
from ms_vector.service.indexing import ChunkingPolicy, Indexing
from ms_vector.service.live_index import Generation, LiveIndex

REPO_ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "node_modules", ".git", "build", "dist", ".mypy_cache", ".ruff_cache"}
CONTENT_TYPE = "text/markdown"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_COMMENT = re.compile(r"^\s*(?:#|//)\s?(.*)$")
_DOCUMENTS_PER_TRANSACTION = 25


def prose_sentences(root: Path = REPO_ROOT) -> list[str]:
    """The distinct sentences of prose under `root`: Markdown, docstrings and comments."""
    return list(dict.fromkeys(_sentences(root)))


class Writer:
    """Documents and queries drawn from `sentences`, the same for the same seed."""

    def __init__(self, sentences: Sequence[str], seed: int = 17) -> None:
        if len(sentences) < 10:
            raise ValueError(f"{len(sentences)} sentences are too few to write documents from")
        self._sentences = sentences
        self._rng = random.Random(seed)

    def paragraph(self) -> str:
        """2 to 5 consecutive sentences, one of them sometimes from elsewhere."""
        rng, sentences = self._rng, self._sentences
        length = rng.randint(2, 5)
        start = rng.randrange(len(sentences) - length)
        picked = list(sentences[start : start + length])
        if rng.random() < 0.3:
            picked[rng.randrange(length)] = rng.choice(sentences)
        return " ".join(picked)

    def heading(self) -> str:
        words = [w.strip(".,:;`*()[]\"'") for w in self._rng.choice(self._sentences).split()]
        return " ".join(w for w in words[:5] if w).capitalize() or "Notes"

    def markdown(self, sections: int) -> tuple[str, str]:
        """A title and a Markdown page of `sections` sections of 1 to 4 paragraphs."""
        title = self.heading()
        parts = [f"# {title}"]
        for _ in range(sections):
            parts.append(f"## {self.heading()}")
            parts.extend(self.paragraph() for _ in range(self._rng.randint(1, 4)))
        return title, "\n\n".join(parts) + "\n"

    def query(self) -> str:
        words = self._rng.choice(self._sentences).split()
        kept = [word for word in words if self._rng.random() > 1 / 3] or words
        return " ".join(kept)

    def documents(
        self, chunks: int, spaces: Sequence[str], policy: ChunkingPolicy
    ) -> tuple[list[DocumentRevision], int]:
        """Documents spread over `spaces` until they cut into at least `chunks` passages;
        the documents and the number of passages."""
        monday = datetime(2026, 3, 2, tzinfo=UTC)
        found: list[DocumentRevision] = []
        total = 0
        while total < chunks:
            number = len(found)
            space = spaces[number % len(spaces)]
            title, content = self.markdown(self._rng.randint(2, 6))
            found.append(
                DocumentRevision(
                    document=f"{space}/documents/page-{number:06d}",
                    space=space,
                    revision=1,
                    title=title,
                    content=content,
                    content_type=CONTENT_TYPE,
                    updated_at=monday + timedelta(minutes=number),
                )
            )
            total += len(
                cut_passages(
                    content,
                    CONTENT_TYPE,
                    max_chars=policy.max_chars,
                    overlap_chars=policy.overlap_chars,
                )
            )
        return found, total


def chunking_policy(settings: Settings) -> ChunkingPolicy:
    """The service's passages, as `vector_parts` configures them from its settings."""
    return ChunkingPolicy(
        max_chars=settings.chunk_max_chars,
        overlap_chars=settings.chunk_overlap_chars,
        max_document_chars=settings.max_document_chars,
    )


async def record_index(
    database_url: str,
    settings: Settings,
    embedder: Embedder,
    documents: Sequence[DocumentRevision],
    members: dict[str, Sequence[str]],
) -> None:
    """Migrate the service's database at `database_url` and record `documents` in it as its
    event handlers do (cut, embedded, one transaction per few documents), and `members` (user
    -> spaces) as viewers, as knowledge.spaces.v1 would. The DocumentIndexed events this
    records are not the benchmark's: they are dropped from the outbox, never published."""
    await upgrade_database(database_url, MIGRATIONS)
    engine = create_database_engine(database_url, traced=False)
    sessions = session_factory(engine)
    # Only the serving generation, the shipped model's: an index nobody searches here.
    live = LiveIndex(Generation.of(sessions, embedder, FaissVectorIndex(embedder.dimensions)))
    indexing = Indexing(live, chunking_policy(settings))
    outbox = Outbox(settings.service_name)
    try:
        for start in range(0, len(documents), _DOCUMENTS_PER_TRANSACTION):
            async with UnitOfWork(sessions) as uow:
                work = VectorWork(uow.session, outbox)
                for revision in documents[start : start + _DOCUMENTS_PER_TRANSACTION]:
                    await indexing.index(work, revision)
                await uow.commit()
        async with UnitOfWork(sessions) as uow:
            memberships = SpaceMemberships(uow.session)
            for user, spaces in members.items():
                for space in spaces:
                    await memberships.set_role(space, user, MemberRole.VIEWER)
            await uow.session.execute(outbox_events.delete())
            await uow.commit()
    finally:
        await engine.dispose()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _sentences(root: Path) -> Iterator[str]:
    for path in sorted(_files(root)):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if path.suffix == ".md":
            prose = [text]
        elif path.suffix == ".py":
            prose = _python_prose(text)
        else:
            prose = [" ".join(m[1] for line in text.splitlines() if (m := _COMMENT.match(line)))]
        for block in prose:
            for sentence in _SENTENCE_END.split(" ".join(block.split())):
                if 30 <= len(sentence) <= 400 and sum(c.isalpha() for c in sentence) > 20:
                    yield sentence


def _files(root: Path) -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [
            d for d in subdirectories if d not in SKIPPED and not d.startswith(".")
        ]
        for name in names:
            if name.endswith((".md", ".py", ".proto")) and not name.endswith(
                ("_pb2.py", "_pb2_grpc.py")
            ):
                yield Path(directory) / name


def _python_prose(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    docstrings = [
        ast.get_docstring(node) or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    comments = " ".join(m[1] for line in source.splitlines() if (m := _COMMENT.match(line)))
    return [*docstrings, comments]
