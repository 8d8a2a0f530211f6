"""The dense index in the service's process: a FAISS HNSW graph over inner product (the vectors
are L2-normalised, so the score is cosine), persisted to one file.

Filters. Every chunk's filter fields are kept in columns by graph label (codes for space,
document and content type, microseconds for updated_at), so a `ChunkFilter` becomes a bitmap of
admitted labels in a few vectorised passes, handed to FAISS as an id selector. HNSW alone misses
under a restrictive filter (the graph walk meets too few admitted chunks in its `efSearch`
candidates), so a search goes exact, over the admitted vectors only, when the filter admits
few chunks (under `exact_below`, or under a tenth of the index), and widens `efSearch` by the
filter's selectivity otherwise; if the graph still returns fewer than `limit` while more are
admitted, the exact search answers. `limit` matching chunks always come back when they exist.

Deletes. HNSW cannot remove a node in place. A deleted (or replaced) chunk's label becomes a
tombstone: it stays in the graph as a stepping stone but is never admitted. When tombstones
outnumber half the live chunks, the graph is rebuilt from the live vectors (read back from the
graph's own storage); that keeps the work per delete constant on average, but the rebuild holds
the index's lock, so searches wait for it.

Persistence. `persist()` and `close()` write graph, ids and filter columns to `path` through a
temporary file renamed over it, so a crash leaves the previous file or the new one. At
construction the file is loaded; a file that cannot be read, or was written for other
dimensions, is discarded with a warning and the index starts empty (the service rebuilds it
from its database, the record of every chunk's vector).

The CPU-bound calls run in worker threads (`asyncio.to_thread`) behind one lock; an upsert takes
the lock per slice of `_SLICE` chunks, so searches are not held up by a large batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from ..domain.filters import ChunkFilter
from ..domain.ports import ChunkVector, Hit, Vectors

logger = logging.getLogger(__name__)

_FORMAT = 1
_SLICE = 128
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# efSearch is widened by 1 / selectivity up to this factor; below it the search is exact.
_MAX_WIDENING = 10


class FaissVectorIndex:
    """The `VectorIndex` port on an in-process FAISS HNSW graph (`IndexHNSWFlat`, inner
    product). `m`, `ef_construction` and `ef_search` are HNSW's parameters; the defaults keep
    recall@10 at or above 0.98 against exact search at 100k chunks
    (benchmarks/vector_ann_recall.py)."""

    def __init__(
        self,
        dimensions: int,
        path: Path | None = None,
        *,
        m: int = 48,
        ef_construction: int = 200,
        ef_search: int = 160,
        exact_below: int = 2048,
    ) -> None:
        self._dimensions = dimensions
        self._path = path
        self._m = m
        self._ef_construction = ef_construction
        self._ef_search = ef_search
        self._exact_below = exact_below
        self._lock = threading.Lock()
        self._graph = self._new_graph()
        self._columns = _Columns()
        self._label_of: dict[int, int] = {}
        self._dirty = False
        if path is not None and path.exists():
            self._load(path)

    async def upsert(self, chunks: Sequence[ChunkVector]) -> None:
        latest = list({chunk.id: chunk for chunk in chunks}.values())
        for chunk in latest:
            if chunk.vector.shape != (self._dimensions,):
                raise ValueError(
                    f"chunk {chunk.id}: vector of shape {chunk.vector.shape}, "
                    f"this index holds {self._dimensions} dimensions"
                )
        for start in range(0, len(latest), _SLICE):
            await asyncio.to_thread(self._upsert, latest[start : start + _SLICE])

    async def delete(self, ids: Sequence[int]) -> None:
        await asyncio.to_thread(self._delete, ids)

    async def search(self, query: Vectors, limit: int, allowed: ChunkFilter) -> list[Hit]:
        vector = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if vector.shape[1] != self._dimensions:
            raise ValueError(
                f"query of {vector.shape[1]} dimensions, this index holds {self._dimensions}"
            )
        if limit <= 0:
            return []
        return await asyncio.to_thread(self._search, vector, limit, allowed)

    async def ids(self) -> set[int]:
        return await asyncio.to_thread(self._ids)

    async def persist(self) -> None:
        """Write the index to its file now (nothing to do without a path or a change)."""
        if self._path is not None:
            await asyncio.to_thread(self._persist, self._path)

    async def close(self) -> None:
        await self.persist()

    async def discard(self) -> None:
        """Remove the index's file: its generation is dropped (nothing is persisted)."""
        if self._path is not None:
            await asyncio.to_thread(self._path.unlink, missing_ok=True)

    def __len__(self) -> int:
        return len(self._label_of)

    # Everything below runs in a worker thread.

    def _new_graph(self) -> faiss.IndexHNSWFlat:
        graph = faiss.IndexHNSWFlat(self._dimensions, self._m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = self._ef_construction
        graph.hnsw.efSearch = self._ef_search
        return graph

    def _ids(self) -> set[int]:
        with self._lock:
            return set(self._label_of)

    def _upsert(self, chunks: Sequence[ChunkVector]) -> None:
        vectors = np.ascontiguousarray(np.stack([chunk.vector for chunk in chunks]), np.float32)
        with self._lock:
            self._forget(chunk.id for chunk in chunks)
            first = self._graph.ntotal
            self._graph.add(vectors)
            self._columns.append(chunks)
            for offset, chunk in enumerate(chunks):
                self._label_of[chunk.id] = first + offset
            self._dirty = True
            self._rebuild_if_worn()

    def _delete(self, ids: Iterable[int]) -> None:
        with self._lock:
            if self._forget(ids):
                self._dirty = True
                self._rebuild_if_worn()

    def _forget(self, ids: Iterable[int]) -> bool:
        """Tombstones the labels of `ids`; whether any was held."""
        labels = [label for id in ids if (label := self._label_of.pop(id, None)) is not None]
        self._columns.kill(labels)
        return bool(labels)

    def _rebuild_if_worn(self) -> None:
        if 2 * self._columns.dead > len(self._label_of):
            self._rebuild()

    def _rebuild(self) -> None:
        live = np.flatnonzero(self._columns.ids[: self._graph.ntotal] >= 0)
        vectors = self._stored_vectors()[live]
        graph = self._new_graph()
        if len(live):
            graph.add(vectors)
        self._graph = graph
        self._columns = self._columns.take(live)
        self._label_of = {int(id): label for label, id in enumerate(self._columns.ids[: len(live)])}
        logger.info("dense index rebuilt without its deleted chunks", extra={"chunks": len(live)})

    def _stored_vectors(self) -> npt.NDArray[np.float32]:
        """The graph's vectors by label (a view: valid until the graph changes)."""
        storage: Any = faiss.downcast_index(self._graph.storage)
        count = self._graph.ntotal
        flat = faiss.rev_swig_ptr(storage.get_xb(), count * self._dimensions)
        return flat.reshape(count, self._dimensions)

    def _search(self, query: Vectors, limit: int, allowed: ChunkFilter) -> list[Hit]:
        with self._lock:
            count = self._graph.ntotal
            admitted = self._columns.admitted(allowed, count)
            admitted_count = int(np.count_nonzero(admitted))
            if admitted_count == 0:
                return []
            k = min(limit, admitted_count)
            bitmap = np.packbits(admitted, bitorder="little")
            selector = faiss.IDSelectorBitmap(count, faiss.swig_ptr(bitmap))
            widening = len(self._label_of) / admitted_count
            labels: npt.NDArray[np.int64] | None = None
            if admitted_count >= self._exact_below and widening <= _MAX_WIDENING:
                # faiss's stubs lack SearchParametersHNSW.
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                params.sel = selector
                params.efSearch = int(max(self._ef_search, k) * widening)
                scores, labels = self._graph.search(query, k, params=params)
                if int(np.count_nonzero(labels[0] >= 0)) < k:
                    labels = None  # the graph starved: the exact search answers
            if labels is None:
                storage = faiss.downcast_index(self._graph.storage)
                exact = faiss.SearchParameters()
                exact.sel = selector
                scores, labels = storage.search(query, k, params=exact)
            found = labels[0] >= 0
            ids = self._columns.ids[labels[0][found]]
            return [
                Hit(int(id), float(score)) for id, score in zip(ids, scores[0][found], strict=True)
            ]

    def _persist(self, path: Path) -> None:
        with self._lock:
            if not self._dirty:
                return
            arrays: dict[str, npt.NDArray[Any]] = {
                "format": np.array([_FORMAT, self._dimensions], dtype=np.int64),
                "graph": faiss.serialize_index(self._graph),
                **self._columns.arrays(self._graph.ntotal),
            }
            self._dirty = False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with temporary.open("wb") as file:
                np.savez(file, allow_pickle=False, **arrays)
                file.flush()
                os.fsync(file.fileno())
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            with self._lock:
                self._dirty = True
            raise

    def _load(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as stored:
                version, dimensions = (int(value) for value in stored["format"])
                if version != _FORMAT:
                    raise ValueError(f"format {version}, this version reads {_FORMAT}")
                if dimensions != self._dimensions:
                    logger.warning(
                        "dense index file discarded: it holds another number of dimensions",
                        extra={
                            "path": str(path),
                            "stored": dimensions,
                            "expected": self._dimensions,
                        },
                    )
                    return
                graph = faiss.deserialize_index(stored["graph"])
                columns = _Columns.from_arrays(stored)
        except Exception as error:
            logger.warning(
                "dense index file discarded: it cannot be read",
                extra={"path": str(path), "error": repr(error)},
            )
            return
        if (
            not isinstance(graph, faiss.IndexHNSWFlat)
            or graph.d != self._dimensions
            or graph.metric_type != faiss.METRIC_INNER_PRODUCT
            or len(columns.ids) != graph.ntotal
        ):
            logger.warning(
                "dense index file discarded: it does not hold this index's graph",
                extra={"path": str(path)},
            )
            return
        graph.hnsw.efSearch = self._ef_search
        self._graph = graph
        self._columns = columns
        live = np.flatnonzero(columns.ids[: graph.ntotal] >= 0)
        self._label_of = {int(columns.ids[label]): int(label) for label in live}


class _Codes:
    """Strings (spaces, documents, content types) by small integer code, and back."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = list(names)
        self.codes = {name: code for code, name in enumerate(self.names)}

    def code(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.names)
            self.names.append(name)
        return code

    def known(self, names: Iterable[str]) -> npt.NDArray[np.int32]:
        return np.array([self.codes[n] for n in names if n in self.codes], dtype=np.int32)

    def encoded(self) -> npt.NDArray[np.uint8]:
        return np.frombuffer(json.dumps(self.names).encode(), dtype=np.uint8)

    @classmethod
    def decoded(cls, data: npt.NDArray[np.uint8]) -> _Codes:
        names = json.loads(data.tobytes().decode())
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError("a table of names is not a list of strings")
        return cls(names)


class _Columns:
    """Per graph label: the chunk id (-1 once deleted) and the fields filters look at."""

    def __init__(self) -> None:
        self.ids = np.empty(0, dtype=np.int64)
        self.space = np.empty(0, dtype=np.int32)
        self.document = np.empty(0, dtype=np.int32)
        self.content_type = np.empty(0, dtype=np.int32)
        self.updated = np.empty(0, dtype=np.int64)  # microseconds since the epoch, UTC
        self.spaces = _Codes()
        self.documents = _Codes()
        self.content_types = _Codes()
        self.size = 0
        self.dead = 0

    def append(self, chunks: Sequence[ChunkVector]) -> None:
        end = self.size + len(chunks)
        if end > len(self.ids):
            capacity = max(end, 2 * len(self.ids), 1024)
            self.ids = _grown(self.ids, capacity)
            self.space = _grown(self.space, capacity)
            self.document = _grown(self.document, capacity)
            self.content_type = _grown(self.content_type, capacity)
            self.updated = _grown(self.updated, capacity)
        rows = slice(self.size, end)
        self.ids[rows] = [chunk.id for chunk in chunks]
        self.space[rows] = [self.spaces.code(chunk.meta.space) for chunk in chunks]
        self.document[rows] = [self.documents.code(chunk.meta.document) for chunk in chunks]
        self.content_type[rows] = [
            self.content_types.code(chunk.meta.content_type) for chunk in chunks
        ]
        self.updated[rows] = [_microseconds(chunk.meta.updated_at) for chunk in chunks]
        self.size = end

    def kill(self, labels: Sequence[int]) -> None:
        self.ids[list(labels)] = -1
        self.dead += len(labels)

    def admitted(self, allowed: ChunkFilter, count: int) -> npt.NDArray[np.bool_]:
        """Per label below `count`: whether the chunk is live and `allowed` admits it."""
        mask = self.ids[:count] >= 0
        mask &= np.isin(self.space[:count], self.spaces.known(allowed.spaces))
        if allowed.documents is not None:
            mask &= np.isin(self.document[:count], self.documents.known(allowed.documents))
        if allowed.content_types is not None:
            known = self.content_types.known(allowed.content_types)
            mask &= np.isin(self.content_type[:count], known)
        if allowed.updated_from is not None:
            mask &= self.updated[:count] >= _microseconds(allowed.updated_from)
        if allowed.updated_before is not None:
            mask &= self.updated[:count] < _microseconds(allowed.updated_before)
        return mask

    def take(self, labels: npt.NDArray[np.int64]) -> _Columns:
        """The columns of `labels` only, relabelled from 0 (string tables kept)."""
        taken = _Columns()
        taken.ids = self.ids[labels]
        taken.space = self.space[labels]
        taken.document = self.document[labels]
        taken.content_type = self.content_type[labels]
        taken.updated = self.updated[labels]
        taken.spaces, taken.documents = self.spaces, self.documents
        taken.content_types = self.content_types
        taken.size = len(labels)
        return taken

    def arrays(self, count: int) -> dict[str, npt.NDArray[Any]]:
        return {
            "ids": self.ids[:count],
            "space": self.space[:count],
            "document": self.document[:count],
            "content_type": self.content_type[:count],
            "updated": self.updated[:count],
            "spaces": self.spaces.encoded(),
            "documents": self.documents.encoded(),
            "content_types": self.content_types.encoded(),
        }

    @classmethod
    def from_arrays(cls, stored: Any) -> _Columns:
        columns = cls()
        columns.ids = np.array(stored["ids"], dtype=np.int64)
        columns.space = np.array(stored["space"], dtype=np.int32)
        columns.document = np.array(stored["document"], dtype=np.int32)
        columns.content_type = np.array(stored["content_type"], dtype=np.int32)
        columns.updated = np.array(stored["updated"], dtype=np.int64)
        columns.spaces = _Codes.decoded(stored["spaces"])
        columns.documents = _Codes.decoded(stored["documents"])
        columns.content_types = _Codes.decoded(stored["content_types"])
        columns.size = len(columns.ids)
        columns.dead = int(np.count_nonzero(columns.ids < 0))
        lengths = {len(c) for c in (columns.space, columns.document, columns.content_type)}
        if lengths | {len(columns.updated)} != {columns.size}:
            raise ValueError("the filter columns differ in length")
        return columns


def _grown(array: npt.NDArray[Any], capacity: int) -> npt.NDArray[Any]:
    grown = np.empty(capacity, dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _microseconds(moment: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND
