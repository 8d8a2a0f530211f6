"""Every event of the consumed topics becomes activities a timeline can show: who did what to
which resource in which space, with no content copied out of the producing service."""

from __future__ import annotations

from knowledge.canvas.v1.events_pb2 import CanvasChanged
from knowledge.chat.v1.events_pb2 import AnswerCompleted, MessagePosted
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated, DocumentUpdated, SpaceMemberAdded
from knowledge.knowledge.v1.space_pb2 import SPACE_ROLE_EDITOR
from knowledge.topics import TOPICS_BY_NAME
from knowledge.vector.v1.events_pb2 import DocumentIndexed

from ms_activity.config import Settings
from ms_activity.domain.verbs import EVENT_VERBS, VERB
from ms_activity.server.event_drafts import MAPPERS

ADA = Actor(name="users/ada", display_name="Ada")
DOCUMENT = "spaces/handbook/documents/onboarding"


def test_every_event_type_of_every_consumed_topic_is_recorded() -> None:
    mapped = {kind.DESCRIPTOR.full_name for kind in MAPPERS}
    for topic in Settings().consumed_topics:
        assert set(TOPICS_BY_NAME[topic].event_types) <= mapped, topic


def test_every_event_verb_is_lower_case_words_joined_by_dots() -> None:
    verbs = {draft.verb for kind, mapper in MAPPERS.items() for draft in mapper(kind())}
    assert verbs <= EVENT_VERBS
    assert all(VERB.fullmatch(verb) for verb in EVENT_VERBS)


def test_a_document_edit_names_its_author_space_and_title_but_not_its_content() -> None:
    (draft,) = MAPPERS[DocumentUpdated](
        DocumentUpdated(
            document=DOCUMENT,
            space="spaces/handbook",
            title="Onboarding",
            content="the secret plan",
            revision=3,
            author=ADA,
        )
    )
    assert (draft.actor, draft.actor_display_name, draft.verb) == (
        "users/ada",
        "Ada",
        "document.updated",
    )
    assert (draft.subject, draft.space) == (DOCUMENT, "spaces/handbook")
    assert draft.properties == {"title": "Onboarding", "revision": "3"}
    restored = MAPPERS[DocumentUpdated](
        DocumentUpdated(document=DOCUMENT, restored_from_revision=1)
    )
    assert restored[0].verb == "document.restored"


def test_a_canvas_change_is_one_activity_per_editor() -> None:
    drafts = MAPPERS[CanvasChanged](
        CanvasChanged(
            canvas="spaces/s/canvases/c",
            space="spaces/s",
            editors=[Actor(name="users/bob"), ADA, Actor(name="users/bob")],
        )
    )
    assert [draft.actor for draft in drafts] == ["users/ada", "users/bob"]


def test_chat_activities_keep_no_question_or_answer_text() -> None:
    (posted,) = MAPPERS[MessagePosted](
        MessagePosted(conversation="users/ada/conversations/c", user="users/ada", content="why?")
    )
    (answered,) = MAPPERS[AnswerCompleted](
        AnswerCompleted(conversation="users/ada/conversations/c", user="users/ada", question="why?")
    )
    assert "why?" not in {*posted.properties.values(), *answered.properties.values()}
    assert answered.actor == ""  # the platform answered


def test_roles_and_spaces_read_as_words() -> None:
    (added,) = MAPPERS[SpaceMemberAdded](
        SpaceMemberAdded(space="spaces/s", user="users/bob", role=SPACE_ROLE_EDITOR, added_by=ADA)
    )
    assert added.properties == {"member": "users/bob", "role": "editor"}
    (indexed,) = MAPPERS[DocumentIndexed](DocumentIndexed(document=DOCUMENT, revision=2))
    assert indexed.space == "spaces/handbook"
    (created,) = MAPPERS[DocumentCreated](DocumentCreated(document=DOCUMENT, author=ADA))
    assert created.space == ""  # the ingestion takes the subject's space
