"""Search by words: BM25 ranking, word forms and identifiers, filters, updates and removals,
and the highlights of a query in a passage."""

from __future__ import annotations

from datetime import UTC, datetime

from ms_vector.domain.chunks import ChunkMeta
from ms_vector.domain.filters import ChunkFilter
from ms_vector.domain.lexical import LexicalIndex, highlights

WHEN = datetime(2025, 3, 1, tzinfo=UTC)
EVERYWHERE = ChunkFilter(frozenset({"spaces/ops", "spaces/dev"}))


def meta(
    space: str = "spaces/ops",
    document: str = "d1",
    content_type: str = "text/markdown",
    updated_at: datetime = WHEN,
) -> ChunkMeta:
    return ChunkMeta(space, f"{space}/documents/{document}", content_type, updated_at)


def index_of(texts: dict[int, str]) -> LexicalIndex:
    index = LexicalIndex()
    for id, text in texts.items():
        index.add(id, text, meta(document=f"d{id}"))
    return index


def ids(
    index: LexicalIndex, query: str, allowed: ChunkFilter = EVERYWHERE, limit: int = 10
) -> list[int]:
    return [hit.id for hit in index.search(query, limit, allowed)]


def test_the_passage_about_the_query_ranks_first_and_scores_go_down() -> None:
    index = index_of(
        {
            1: "The relay publishes outbox rows to Kafka in commit order.",
            2: "Backups are copied to cold storage every night; backups are tested weekly.",
            3: "Kafka brokers run in KRaft mode without ZooKeeper.",
        }
    )

    hits = index.search("how are backups tested", 10, EVERYWHERE)

    assert [hit.id for hit in hits] == [2]
    assert ids(index, "kafka relay") == [1, 3]
    scores = [hit.score for hit in index.search("kafka relay outbox", 10, EVERYWHERE)]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_rare_words_weigh_more_than_common_ones() -> None:
    index = index_of({n: f"service {n} handles the request" for n in range(1, 20)})
    index.add(100, "service watchdog restarts the request handler", meta())

    assert ids(index, "service watchdog")[0] == 100


def test_word_forms_find_each_other() -> None:
    index = index_of(
        {
            1: "The service indexes documents and stores their passages.",
            2: "Queries are answered from memory.",
        }
    )

    assert ids(index, "indexing a document") == [1]
    assert ids(index, "stored passage") == [1]
    assert ids(index, "query") == [2]


def test_identifiers_are_found_whole_and_by_their_parts() -> None:
    index = index_of(
        {
            1: "Set max_per_document to cap the passages of one document.",
            2: "WordLlamaEmbedder reads the weights its wheel ships.",
            3: "An unrelated passage about gardens.",
        }
    )

    assert ids(index, "max_per_document") == [1]
    assert ids(index, "wordllamaembedder") == [2]
    assert ids(index, "which embedder reads the weights") == [2]


def test_stop_words_alone_find_nothing() -> None:
    index = index_of({1: "It is what it is."})

    assert index.search("what is it", 10, EVERYWHERE) == []
    assert index.search("", 10, EVERYWHERE) == []


def test_the_filter_decides_what_comes_back_however_well_others_score() -> None:
    index = LexicalIndex()
    index.add(1, "rotation of signing keys", meta(space="spaces/ops", document="keys"))
    index.add(2, "signing keys signing keys rotation", meta(space="spaces/secret"))
    index.add(3, "rotation of signing keys", meta(space="spaces/dev", content_type="text/plain"))
    index.add(4, "rotation of signing keys", meta(updated_at=datetime(2024, 1, 1, tzinfo=UTC)))

    assert 2 not in ids(index, "signing keys")
    assert ids(index, "signing keys", ChunkFilter(frozenset({"spaces/dev"}))) == [3]
    only_markdown = ChunkFilter(EVERYWHERE.spaces, content_types=frozenset({"text/markdown"}))
    assert sorted(ids(index, "signing keys", only_markdown)) == [1, 4]
    recent = ChunkFilter(EVERYWHERE.spaces, updated_from=datetime(2025, 1, 1, tzinfo=UTC))
    assert sorted(ids(index, "signing keys", recent)) == [1, 3]
    one_document = ChunkFilter(
        EVERYWHERE.spaces, documents=frozenset({"spaces/ops/documents/keys"})
    )
    assert ids(index, "signing keys", one_document) == [1]


def test_the_limit_keeps_the_best() -> None:
    index = index_of({n: "cache " * n + "filler text" for n in range(1, 30)})

    assert ids(index, "cache", limit=3) == [29, 28, 27]
    assert index.search("cache", 0, EVERYWHERE) == []


def test_a_removed_chunk_is_never_found_again() -> None:
    index = index_of({1: "purge the cache", 2: "cache warming"})

    index.remove([1, 99])

    assert ids(index, "purge cache") == [2]
    assert ids(index, "purge") == []
    assert index.meta(1) is None
    assert len(index) == 1


def test_adding_an_id_again_replaces_its_text_and_meta() -> None:
    index = index_of({1: "old wording about tokens"})

    index.add(1, "new wording about sessions", meta(space="spaces/dev"))

    assert ids(index, "tokens") == []
    assert ids(index, "sessions") == [1]
    assert index.meta(1) == meta(space="spaces/dev")
    assert len(index) == 1


def test_highlights_point_at_the_query_terms_in_the_text() -> None:
    text = "Backups run nightly; the backup of max_per_document settings is indexed."

    spans = highlights("backup indexing max_per_document", text)

    assert [text[start:end] for start, end in spans] == [
        "Backups",
        "backup",
        "max_per_document",
        "indexed",
    ]


def test_highlights_cover_the_matching_part_of_an_identifier() -> None:
    text = "Configure WordLlamaEmbedder here."

    assert [text[s:e] for s, e in highlights("embedder", text)] == ["Embedder"]
    assert highlights("the and of", text) == []
