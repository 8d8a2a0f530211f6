"""The dense index in a cluster: a Qdrant collection, reached through qdrant-client's async client.

The service always names the collection by its alias (`collection`, e.g. "chunks"); `ensure()`
creates the versioned collection behind it (`{collection}_v{version}`) when the alias is absent.
A new embedding model (or other dimensions) is rolled out by filling a collection of the next
version side by side and moving the alias over in one alias operation.

Each point is a chunk: its id is the chunk id (Qdrant takes unsigned integers), its payload the
fields filters look at (space, document, content_type; updated_at as float seconds since the
epoch), each with a payload index, the space one marked as the tenant key. A `ChunkFilter`
becomes a Qdrant filter (MatchAny per set, Range on updated_at: from inclusive, before
exclusive). Qdrant plans a filtered search itself (an exact scan through the payload index when
few points match); should its graph search still return fewer than `limit`, the search is asked
again with `exact=True`, which returns every admitted point up to `limit`.

The test suite runs this adapter against qdrant-client's local mode
(`AsyncQdrantClient(location=":memory:")`: the same client API, served in-process by brute
force), since no Qdrant server runs where the tests run; a cluster's server is reached with
`AsyncQdrantClient(url=..., api_key=...)`. The client belongs to whoever made it: `close()`
leaves it open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from qdrant_client import AsyncQdrantClient, models
from qdrant_client.conversions.common_types import PointId

from ..domain.filters import ChunkFilter
from ..domain.ports import ChunkVector, Hit, Vectors

_BATCH = 256
_SCROLL = 1024
_PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType | models.KeywordIndexParams] = {
    "space": models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    "document": models.PayloadSchemaType.KEYWORD,
    "content_type": models.PayloadSchemaType.KEYWORD,
    "updated_at": models.PayloadSchemaType.FLOAT,
}


class QdrantVectorIndex:
    """The `VectorIndex` port on a Qdrant collection named by the alias `collection`."""

    def __init__(
        self,
        client: AsyncQdrantClient,
        collection: str,
        dimensions: int,
        *,
        version: int = 1,
        m: int = 32,
        ef_construct: int = 128,
    ) -> None:
        self._client = client
        self._alias = collection
        self._versioned = f"{collection}_v{version}"
        self._dimensions = dimensions
        self._hnsw = models.HnswConfigDiff(m=m, ef_construct=ef_construct)

    async def ensure(self) -> None:
        """Creates the versioned collection, its payload indexes and the alias, where absent;
        refuses a collection behind the alias that holds vectors of other dimensions."""
        aliases = {
            alias.alias_name: alias.collection_name
            for alias in (await self._client.get_aliases()).aliases
        }
        target = aliases.get(self._alias)
        if target is None:
            target = self._versioned
            if not await self._client.collection_exists(target):
                await self._client.create_collection(
                    target,
                    vectors_config=models.VectorParams(
                        size=self._dimensions, distance=models.Distance.COSINE
                    ),
                    hnsw_config=self._hnsw,
                )
            for field, schema in _PAYLOAD_INDEXES.items():
                await self._client.create_payload_index(target, field, field_schema=schema)
            await self._client.update_collection_aliases(
                [
                    models.CreateAliasOperation(
                        create_alias=models.CreateAlias(
                            collection_name=target, alias_name=self._alias
                        )
                    )
                ]
            )
        vectors = (await self._client.get_collection(target)).config.params.vectors
        size = vectors.size if isinstance(vectors, models.VectorParams) else None
        if size != self._dimensions:
            raise ValueError(
                f"collection {target} (alias {self._alias}) holds vectors of {size} dimensions, "
                f"this index {self._dimensions}: roll out a new collection version"
            )

    async def upsert(self, chunks: Sequence[ChunkVector]) -> None:
        latest = {chunk.id: chunk for chunk in chunks}.values()
        for chunk in latest:
            if chunk.vector.shape != (self._dimensions,):
                raise ValueError(
                    f"chunk {chunk.id}: vector of shape {chunk.vector.shape}, "
                    f"this index holds {self._dimensions} dimensions"
                )
        points = [
            models.PointStruct(
                id=chunk.id,
                vector=chunk.vector.tolist(),
                payload={
                    "space": chunk.meta.space,
                    "document": chunk.meta.document,
                    "content_type": chunk.meta.content_type,
                    "updated_at": _seconds(chunk.meta.updated_at),
                },
            )
            for chunk in latest
        ]
        for start in range(0, len(points), _BATCH):
            await self._client.upsert(self._alias, points[start : start + _BATCH], wait=True)

    async def delete(self, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), _BATCH):
            await self._client.delete(
                self._alias,
                points_selector=models.PointIdsList(points=list(ids[start : start + _BATCH])),
                wait=True,
            )

    async def search(self, query: Vectors, limit: int, allowed: ChunkFilter) -> list[Hit]:
        if len(query) != self._dimensions:
            raise ValueError(
                f"query of {len(query)} dimensions, this index holds {self._dimensions}"
            )
        condition = _condition(allowed)
        if limit <= 0 or condition is None:
            return []
        vector: list[float] = query.tolist()
        points = await self._query(vector, limit, condition, exact=False)
        if len(points) < limit:
            points = await self._query(vector, limit, condition, exact=True)
        return [Hit(int(point.id), point.score) for point in points]

    async def ids(self) -> set[int]:
        held: set[int] = set()
        offset: PointId | None = None
        while True:
            points, offset = await self._client.scroll(
                self._alias, limit=_SCROLL, offset=offset, with_payload=False, with_vectors=False
            )
            held.update(int(point.id) for point in points)
            if offset is None:
                return held

    async def close(self) -> None:
        """Nothing to persist: Qdrant keeps the points."""

    async def _query(
        self, vector: list[float], limit: int, condition: models.Filter, *, exact: bool
    ) -> list[models.ScoredPoint]:
        response = await self._client.query_points(
            self._alias,
            query=vector,
            query_filter=condition,
            search_params=models.SearchParams(exact=exact),
            limit=limit,
            with_payload=False,
            with_vectors=False,
        )
        return response.points


def _condition(allowed: ChunkFilter) -> models.Filter | None:
    """The Qdrant filter for `allowed`; None when it admits nothing (an empty set)."""
    sets = {
        "space": allowed.spaces,
        "document": allowed.documents,
        "content_type": allowed.content_types,
    }
    must: list[models.Condition] = []
    for field, values in sets.items():
        if values is None:
            continue
        if not values:
            return None
        must.append(models.FieldCondition(key=field, match=models.MatchAny(any=sorted(values))))
    if allowed.updated_from is not None or allowed.updated_before is not None:
        must.append(
            models.FieldCondition(
                key="updated_at",
                range=models.Range(
                    gte=_seconds(allowed.updated_from) if allowed.updated_from else None,
                    lt=_seconds(allowed.updated_before) if allowed.updated_before else None,
                ),
            )
        )
    return models.Filter(must=must)


def _seconds(moment: datetime) -> float:
    """Seconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
