"""Each consumed event type as activity drafts: who did what to which resource, in which space.

One function per event type, each returning the activities of one event (most give one;
CanvasChanged gives one per editor, so distinct actors count every editor). The time is the
envelope's, so a late event lands in the bucket of when it happened; the source is the
producing service. Properties carry what a timeline shows and a filter asks for (titles, roles,
states), never content: a document's text or a chat message stays in its own service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf.message import Message
from knowledge.auth.v1 import events_pb2 as auth
from knowledge.auth.v1.session_pb2 import SessionRevocationReason
from knowledge.auth.v1.user_pb2 import PlatformRole
from knowledge.canvas.v1 import events_pb2 as canvas
from knowledge.chat.v1 import events_pb2 as chat
from knowledge.chat.v1.conversation_pb2 import AnswerStatus, Rating
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1 import events_pb2 as knowledge
from knowledge.knowledge.v1.space_pb2 import SpaceRole
from knowledge.ml.v1 import events_pb2 as ml
from knowledge.ml.v1.model_pb2 import ModelStage
from knowledge.ml.v1.training_job_pb2 import TrainingJobState
from knowledge.notifications.v1 import events_pb2 as notifications
from knowledge.notifications.v1.notification_pb2 import NotificationCategory, NotificationChannel
from knowledge.vector.v1 import events_pb2 as vector

from ..domain.drafts import Draft
from ..domain.names import space_of

Mapper = Callable[[Any], list[Draft]]


def _label(enum: Any, value: int, prefix: str) -> str:
    """`SPACE_ROLE_EDITOR` as `editor`; an unknown number as itself."""
    try:
        return str(enum.Name(value)).removeprefix(prefix).lower()
    except ValueError:
        return str(value)


def _one(actor: Actor | str, verb: str, subject: str, space: str, **properties: str) -> list[Draft]:
    """One activity; `actor` an Actor (name and display name) or a bare name ("" for none)."""
    name, display = (actor, "") if isinstance(actor, str) else (actor.name, actor.display_name)
    kept = {key: value for key, value in properties.items() if value}
    return [Draft(name, display, verb, subject, space, kept)]


def _user_registered(event: auth.UserRegistered) -> list[Draft]:
    role = _label(PlatformRole, event.role, "PLATFORM_ROLE_")
    return _one(event.user, "user.registered", event.user, "", role=role)


def _user_role_changed(event: auth.UserRoleChanged) -> list[Draft]:
    return _one(
        event.changed_by,
        "user.role_changed",
        event.user,
        "",
        previous_role=_label(PlatformRole, event.previous_role, "PLATFORM_ROLE_"),
        role=_label(PlatformRole, event.role, "PLATFORM_ROLE_"),
    )


def _session_revoked(event: auth.SessionRevoked) -> list[Draft]:
    # Signing out is the user's doing; reuse detection and an administrator's revocation are not.
    by_user = event.reason == SessionRevocationReason.SESSION_REVOCATION_REASON_LOGOUT
    reason = _label(SessionRevocationReason, event.reason, "SESSION_REVOCATION_REASON_")
    actor = event.user if by_user else ""
    return _one(
        actor, "session.revoked", event.session or event.user, "", user=event.user, reason=reason
    )


def _space_created(event: knowledge.SpaceCreated) -> list[Draft]:
    return _one(event.creator, "space.created", event.space, event.space, title=event.display_name)


def _space_updated(event: knowledge.SpaceUpdated) -> list[Draft]:
    return _one(
        event.updated_by,
        "space.updated",
        event.space,
        event.space,
        title=event.display_name,
        changed_fields=",".join(event.changed_fields),
    )


def _space_deleted(event: knowledge.SpaceDeleted) -> list[Draft]:
    return _one(event.deleted_by, "space.deleted", event.space, event.space)


def _member_added(event: knowledge.SpaceMemberAdded) -> list[Draft]:
    role = _label(SpaceRole, event.role, "SPACE_ROLE_")
    return _one(
        event.added_by,
        "space.member_added",
        event.space,
        event.space,
        member=event.user,
        role=role,
    )


def _member_removed(event: knowledge.SpaceMemberRemoved) -> list[Draft]:
    return _one(
        event.removed_by, "space.member_removed", event.space, event.space, member=event.user
    )


def _document_created(event: knowledge.DocumentCreated) -> list[Draft]:
    return _one(
        event.author,
        "document.created",
        event.document,
        event.space,
        title=event.title,
        revision=str(event.revision),
    )


def _document_updated(event: knowledge.DocumentUpdated) -> list[Draft]:
    restored = event.restored_from_revision
    return _one(
        event.author,
        "document.restored" if restored else "document.updated",
        event.document,
        event.space,
        title=event.title,
        revision=str(event.revision),
        restored_from_revision=str(restored) if restored else "",
    )


def _document_deleted(event: knowledge.DocumentDeleted) -> list[Draft]:
    return _one(event.deleted_by, "document.deleted", event.document, event.space)


def _canvas_created(event: canvas.CanvasCreated) -> list[Draft]:
    return _one(event.creator, "canvas.created", event.canvas, event.space, title=event.title)


def _canvas_changed(event: canvas.CanvasChanged) -> list[Draft]:
    """One activity per editor of the debounced change (a system one when none is named)."""
    editors = {editor.name: editor.display_name for editor in event.editors if editor.name}
    details = {
        "revision": str(event.revision),
        "nodes": str(event.node_count),
        "edges": str(event.edge_count),
    }
    if not editors:
        return [Draft("", "", "canvas.changed", event.canvas, event.space, details)]
    return [
        Draft(name, editors[name], "canvas.changed", event.canvas, event.space, dict(details))
        for name in sorted(editors)
    ]


def _canvas_deleted(event: canvas.CanvasDeleted) -> list[Draft]:
    return _one(event.deleted_by, "canvas.deleted", event.canvas, event.space)


def _conversation_created(event: chat.ConversationCreated) -> list[Draft]:
    return _one(
        event.user, "conversation.created", event.conversation, "", spaces=",".join(event.spaces)
    )


def _conversation_deleted(event: chat.ConversationDeleted) -> list[Draft]:
    return _one(event.user, "conversation.deleted", event.conversation, "")


def _message_posted(event: chat.MessagePosted) -> list[Draft]:
    return _one(event.user, "message.posted", event.conversation, "", message=event.message)


def _answer_completed(event: chat.AnswerCompleted) -> list[Draft]:
    return _one(
        "",
        "answer.completed",
        event.conversation,
        "",
        message=event.message,
        user=event.user,
        status=_label(AnswerStatus, event.status, "ANSWER_STATUS_"),
        model=event.model,
        citations=str(len(event.citations)),
    )


def _feedback_given(event: chat.FeedbackGiven) -> list[Draft]:
    return _one(
        event.user,
        "feedback.given",
        event.conversation,
        "",
        message=event.message,
        rating=_label(Rating, event.rating, "RATING_"),
        model=event.model,
    )


def _document_indexed(event: vector.DocumentIndexed) -> list[Draft]:
    return _one(
        "",
        "document.indexed",
        event.document,
        space_of(event.document),
        revision=str(event.revision),
        chunks=str(event.chunk_count),
        model=event.embedding_model,
    )


def _document_unindexed(event: vector.DocumentUnindexed) -> list[Draft]:
    return _one("", "document.unindexed", event.document, space_of(event.document))


def _document_index_failed(event: vector.DocumentIndexFailed) -> list[Draft]:
    return _one(
        "",
        "document.index_failed",
        event.document,
        space_of(event.document),
        revision=str(event.revision),
        model=event.embedding_model,
    )


def _model_registered(event: ml.ModelRegistered) -> list[Draft]:
    return _one(
        event.owner,
        "model.registered",
        event.model,
        "",
        title=event.display_name,
        task=event.task,
    )


def _model_version_created(event: ml.ModelVersionCreated) -> list[Draft]:
    return _one(
        "",
        "model_version.created",
        event.model_version,
        "",
        model=event.model,
        training_job=event.training_job,
    )


def _model_promoted(event: ml.ModelPromoted) -> list[Draft]:
    return _one(
        event.promoted_by,
        "model.promoted",
        event.model_version,
        "",
        model=event.model,
        previous_stage=_label(ModelStage, event.previous_stage, "MODEL_STAGE_"),
        stage=_label(ModelStage, event.stage, "MODEL_STAGE_"),
    )


def _model_alias_moved(event: ml.ModelAliasMoved) -> list[Draft]:
    return _one(
        event.moved_by,
        "model.alias_moved",
        event.model,
        "",
        alias=event.alias,
        model_version=event.model_version,
        previous_model_version=event.previous_model_version,
    )


def _model_version_deleted(event: ml.ModelVersionDeleted) -> list[Draft]:
    return _one(
        event.deleted_by, "model_version.deleted", event.model_version, "", model=event.model
    )


def _model_deleted(event: ml.ModelDeleted) -> list[Draft]:
    return _one(event.deleted_by, "model.deleted", event.model, "")


def _deployment_changed(event: ml.DeploymentChanged) -> list[Draft]:
    return _one(
        event.changed_by,
        "deployment.changed",
        event.deployment,
        "",
        model=event.model,
        kind=_label(ml.DeploymentChangeKind, event.kind, "DEPLOYMENT_CHANGE_KIND_"),
        revision=str(event.revision) if event.revision else "",
    )


def _training_changed(event: ml.TrainingJobStateChanged) -> list[Draft]:
    return _one(
        "",
        "training_job.state_changed",
        event.training_job,
        "",
        model=event.model,
        previous_state=_label(TrainingJobState, event.previous_state, "TRAINING_JOB_STATE_"),
        state=_label(TrainingJobState, event.state, "TRAINING_JOB_STATE_"),
    )


def _notification(verb: str) -> Mapper:
    def drafts(
        event: notifications.NotificationDelivered | notifications.NotificationFailed,
    ) -> list[Draft]:
        return _one(
            "",
            verb,
            event.notification,
            "",
            recipient=event.recipient,
            category=_label(NotificationCategory, event.category, "NOTIFICATION_CATEGORY_"),
            channel=_label(NotificationChannel, event.channel, "NOTIFICATION_CHANNEL_"),
        )

    return drafts


MAPPERS: Mapping[type[Message], Mapper] = {
    auth.UserRegistered: _user_registered,
    auth.UserRoleChanged: _user_role_changed,
    auth.SessionRevoked: _session_revoked,
    knowledge.SpaceCreated: _space_created,
    knowledge.SpaceUpdated: _space_updated,
    knowledge.SpaceDeleted: _space_deleted,
    knowledge.SpaceMemberAdded: _member_added,
    knowledge.SpaceMemberRemoved: _member_removed,
    knowledge.DocumentCreated: _document_created,
    knowledge.DocumentUpdated: _document_updated,
    knowledge.DocumentDeleted: _document_deleted,
    canvas.CanvasCreated: _canvas_created,
    canvas.CanvasChanged: _canvas_changed,
    canvas.CanvasDeleted: _canvas_deleted,
    chat.ConversationCreated: _conversation_created,
    chat.MessagePosted: _message_posted,
    chat.AnswerCompleted: _answer_completed,
    chat.FeedbackGiven: _feedback_given,
    chat.ConversationDeleted: _conversation_deleted,
    vector.DocumentIndexed: _document_indexed,
    vector.DocumentUnindexed: _document_unindexed,
    vector.DocumentIndexFailed: _document_index_failed,
    ml.ModelRegistered: _model_registered,
    ml.ModelVersionCreated: _model_version_created,
    ml.ModelPromoted: _model_promoted,
    ml.ModelAliasMoved: _model_alias_moved,
    ml.ModelVersionDeleted: _model_version_deleted,
    ml.ModelDeleted: _model_deleted,
    ml.DeploymentChanged: _deployment_changed,
    ml.TrainingJobStateChanged: _training_changed,
    notifications.NotificationDelivered: _notification("notification.delivered"),
    notifications.NotificationFailed: _notification("notification.failed"),
}
"""Every event type of the topics this service consumes, except the Yjs traffic of
canvas.updates.v1 (not consumed)."""
