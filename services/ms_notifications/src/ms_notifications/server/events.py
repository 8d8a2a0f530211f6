"""The consumed topics applied: projections kept (users, memberships, model owners) and the
people concerned told, each event in the consumer's transaction with its inbox row (so a
redelivered event tells no one twice). A malformed record raises ValidationError: the consumer
dead-letters it and goes on."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from knowledge.auth.v1.events_pb2 import SessionRevoked, UserRegistered, UserRoleChanged
from knowledge.chat.v1.events_pb2 import AnswerCompleted
from knowledge.knowledge.v1.events_pb2 import DocumentCreated, DocumentUpdated, SpaceMemberAdded
from knowledge.ml.v1.events_pb2 import ModelPromoted, ModelRegistered, TrainingJobStateChanged
from knowledge_kit.errors import ValidationError
from knowledge_kit.events import Outbox
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from knowledge_kit.spaces import space_membership_handlers

from ..domain import rules
from ..domain.names import USER
from ..repository.directory import Account, ModelOwner
from ..repository.work import NotificationWork
from ..service.notify import Notifier

PLATFORM_ROLES = {1: "member", 2: "administrator"}


def event_handlers(notifier: Notifier, outbox: Outbox) -> Mapping[type[Message], EventHandler]:
    memberships = space_membership_handlers()

    def work_of(event: ConsumedEvent) -> NotificationWork:
        return NotificationWork(event.session, outbox)

    async def tell(event: ConsumedEvent, told: rules.Tell | None) -> None:
        if told is not None and told.recipients:
            await notifier.tell(work_of(event), told, event.envelope.id)

    async def user_registered(event: ConsumedEvent) -> None:
        payload: UserRegistered = event.payload
        user = _user(payload.user, event)
        account = Account(user, payload.email, payload.display_name)
        await work_of(event).directory.save_account(account)

    async def user_role_changed(event: ConsumedEvent) -> None:
        payload: UserRoleChanged = event.payload
        user = _user(payload.user, event)
        role = PLATFORM_ROLES.get(payload.role, "another role")
        actor = payload.changed_by
        await tell(event, rules.role_changed(user, role, actor.name, actor.display_name))

    async def session_revoked(event: ConsumedEvent) -> None:
        payload: SessionRevoked = event.payload
        user = _user(payload.user, event)
        await tell(event, rules.session_revoked(payload.session, user, payload.reason))

    async def member_added(event: ConsumedEvent) -> None:
        payload: SpaceMemberAdded = event.payload
        work = work_of(event)
        had = await work.memberships.role_of(payload.space, payload.user)
        await memberships[SpaceMemberAdded](event)
        if had is not None and int(had) == payload.role:
            return
        actor = payload.added_by
        space_label = payload.space_display_name or payload.space.rsplit("/", 1)[-1]
        await tell(
            event,
            rules.member_added(
                payload.space,
                payload.user,
                payload.role,
                space_label,
                actor.name,
                actor.display_name,
                had_role=None if had is None else int(had),
            ),
        )

    async def document_changed(event: ConsumedEvent) -> None:
        payload: DocumentCreated | DocumentUpdated = event.payload
        if not payload.document.startswith(f"{payload.space}/documents/") or not payload.space:
            raise ValidationError(f"{type(payload).__name__} names no document of a space")
        members = await work_of(event).memberships.members_of(payload.space)
        author = payload.author
        told = rules.document_changed(
            payload.document,
            payload.title,
            author.name,
            author.display_name,
            sorted(members),
            created=isinstance(payload, DocumentCreated),
        )
        await tell(event, told)

    async def answer_completed(event: ConsumedEvent) -> None:
        payload: AnswerCompleted = event.payload
        user = _user(payload.user, event)
        await tell(event, rules.answer_completed(payload.conversation, user, payload.question))

    async def model_registered(event: ConsumedEvent) -> None:
        payload: ModelRegistered = event.payload
        if not payload.model:
            raise ValidationError("ModelRegistered names no model")
        owner = ModelOwner(payload.model, payload.owner.name, payload.display_name)
        await work_of(event).directory.save_model(owner)

    async def training_changed(event: ConsumedEvent) -> None:
        payload: TrainingJobStateChanged = event.payload
        owner = await work_of(event).directory.model(payload.model)
        if owner is None:
            return
        label = owner.display_name or payload.model.rsplit("/", 1)[-1]
        told = rules.training_finished(
            payload.training_job, label, payload.state, payload.error_message, owner.owner
        )
        await tell(event, told)

    async def model_promoted(event: ConsumedEvent) -> None:
        payload: ModelPromoted = event.payload
        owner = await work_of(event).directory.model(payload.model)
        if owner is None:
            return
        actor = payload.promoted_by
        told = rules.model_promoted(
            payload.model_version, payload.stage, owner.owner, actor.name, actor.display_name
        )
        await tell(event, told)

    return {
        **memberships,
        SpaceMemberAdded: member_added,
        UserRegistered: user_registered,
        UserRoleChanged: user_role_changed,
        SessionRevoked: session_revoked,
        DocumentCreated: document_changed,
        DocumentUpdated: document_changed,
        AnswerCompleted: answer_completed,
        ModelRegistered: model_registered,
        TrainingJobStateChanged: training_changed,
        ModelPromoted: model_promoted,
    }


def _user(user: str, event: ConsumedEvent) -> str:
    if not USER.matches(user):
        kind = type(event.payload).__name__
        raise ValidationError(f"{kind} names no user (got {user[:80]!r})")
    return user
