"""Events tell the right people once: the actor never, a redelivered event no one twice, edits
of one document grouped into one notification, each notification with a delivery per channel
saying whether it goes out by email and push."""

from __future__ import annotations

from knowledge.auth.v1 import session_pb2, user_pb2
from knowledge.auth.v1.events_pb2 import SessionRevoked, UserRoleChanged
from knowledge.chat.v1.events_pb2 import AnswerCompleted
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1 import space_pb2
from knowledge.knowledge.v1.events_pb2 import DocumentCreated, DocumentUpdated, SpaceMemberAdded
from knowledge.ml.v1 import model_pb2, training_job_pb2
from knowledge.ml.v1.events_pb2 import (
    ModelPromoted,
    ModelRegistered,
    TrainingJobStateChanged,
)

from ms_notifications.domain.notifications import Category, Channel, DeliveryState, Notification
from ms_notifications.main import NotificationParts
from ms_notifications.repository.notifications import InboxFilter
from ms_notifications.service.preferences import RequestedCategory, RequestedPreferences

from ..support import Events, Spaces

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"
DOCUMENT = "spaces/handbook/documents/onboarding"


async def inbox(parts: NotificationParts, user: str) -> list[Notification]:
    listed = await parts.inbox.list_notifications(user, user, InboxFilter(), 50, "")
    return listed.page.items


def edited(by: str, label: str, revision: int) -> DocumentUpdated:
    return DocumentUpdated(
        document=DOCUMENT,
        space=SPACE,
        title="Onboarding",
        revision=revision,
        author=Actor(name=by, display_name=label),
    )


async def test_a_member_added_by_someone_else_is_told_and_the_actor_is_not(
    parts: NotificationParts, events: Events
) -> None:
    added = SpaceMemberAdded(
        space=SPACE,
        user=BOB,
        role=space_pb2.SPACE_ROLE_EDITOR,
        added_by=Actor(name=ADA, display_name="Ada"),
        space_display_name="Handbook",
    )
    await events.apply(added)
    [told] = await inbox(parts, BOB)
    assert (told.title, told.category, told.link) == (
        "Ada added you to Handbook as editor",
        Category.MEMBERSHIP,
        SPACE,
    )
    assert told.actors == (ADA,) and told.actor_count == 1
    await events.apply(
        SpaceMemberAdded(
            space=SPACE, user=ADA, role=space_pb2.SPACE_ROLE_OWNER, added_by=Actor(name=ADA)
        )
    )
    assert await inbox(parts, ADA) == []


async def test_a_redelivered_event_tells_no_one_twice(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB, CY)
    envelope = await events.apply(
        DocumentCreated(
            document=DOCUMENT,
            space=SPACE,
            title="Onboarding",
            revision=1,
            author=Actor(name=ADA, display_name="Ada"),
        )
    )
    await events.apply(envelope)
    for user in (BOB, CY):
        assert [one.title for one in await inbox(parts, user)] == ["Ada created Onboarding"]
    assert await inbox(parts, ADA) == []


async def test_edits_of_one_document_are_grouped_until_read(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB, CY)
    await events.apply(edited(ADA, "Ada", 2))
    second = await events.apply(edited(BOB, "Bob", 3))
    await events.apply(edited(ADA, "Ada", 4))
    await events.apply(second)  # redelivered
    [grouped] = await inbox(parts, CY)
    assert grouped.title == "Ada and 1 other edited Onboarding"
    assert grouped.actors == (ADA, BOB) and grouped.actor_count == 2
    [bobs] = await inbox(parts, BOB)
    assert bobs.title == "Ada edited Onboarding"  # Bob's own edit told him nothing
    await parts.inbox.mark_read(CY, grouped.name)
    await events.apply(edited(BOB, "Bob", 5))
    assert [one.title for one in await inbox(parts, CY)] == [
        "Bob edited Onboarding",
        "Ada and 1 other edited Onboarding",
    ]


async def test_each_notification_has_a_delivery_per_channel_saying_what_happens(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> None:
    await events.register(BOB, email="bob@example.com", display_name="Bob")
    await spaces.add(SPACE, ADA, BOB)
    await events.apply(
        SpaceMemberAdded(
            space=SPACE, user=CY, role=space_pb2.SPACE_ROLE_VIEWER, added_by=Actor(name=BOB)
        )
    )
    [told] = await inbox(parts, CY)
    assert told.title == "Bob added you to handbook as viewer"  # the name from auth.users.v1
    page = await parts.inbox.deliveries(CY, told.name, 10, "")
    assert [(one.channel, one.state, one.last_error) for one in page.items] == [
        (Channel.IN_APP, DeliveryState.SENT, ""),
        (Channel.EMAIL, DeliveryState.SKIPPED, "email is off for this category"),
        (Channel.PUSH, DeliveryState.SKIPPED, "push is off for this"),
    ]
    documents = RequestedCategory(int(Category.DOCUMENT), (1, 2, 3), 0)
    await parts.preferences.update(
        BOB,
        RequestedPreferences(f"{BOB}/notificationPreferences", (documents,), "", "", (0, 0)),
        {"categories"},
    )
    await events.apply(
        DocumentCreated(
            document=DOCUMENT, space=SPACE, title="Onboarding", revision=1, author=Actor(name=CY)
        )
    )
    [created] = await inbox(parts, BOB)
    page = await parts.inbox.deliveries(BOB, created.name, 10, "")
    assert [(one.channel, one.state, one.last_error) for one in page.items] == [
        (Channel.IN_APP, DeliveryState.SENT, ""),
        (Channel.EMAIL, DeliveryState.PENDING, ""),
        (Channel.PUSH, DeliveryState.SKIPPED, "no push subscription"),
    ]


async def test_security_notices_go_by_email_whatever_the_preferences(
    parts: NotificationParts, events: Events
) -> None:
    await events.register(BOB, email="bob@example.com", display_name="Bob")
    await events.apply(
        UserRoleChanged(
            user=BOB,
            previous_role=user_pb2.PLATFORM_ROLE_MEMBER,
            role=user_pb2.PLATFORM_ROLE_ADMIN,
        )
    )
    [told] = await inbox(parts, BOB)
    assert (told.title, told.category) == (
        "Your platform role is now administrator",
        Category.ACCOUNT,
    )
    page = await parts.inbox.deliveries(BOB, told.name, 10, "")
    assert [(one.channel, one.state) for one in page.items][:2] == [
        (Channel.IN_APP, DeliveryState.SENT),
        (Channel.EMAIL, DeliveryState.PENDING),
    ]


async def test_a_revoked_session_is_a_security_notice_no_preference_mutes(
    parts: NotificationParts, events: Events
) -> None:
    await events.register(BOB, email="bob@example.com", display_name="Bob")
    await parts.preferences.update(
        BOB,
        RequestedPreferences(
            name=f"{BOB}/notificationPreferences",
            categories=tuple(
                RequestedCategory(int(category), (int(Channel.IN_APP),), 0)
                for category in Category
                if category is not Category.ACCOUNT
            ),
            email_address="",
            time_zone="",
            quiet_hours=(0, 0),
        ),
        ["categories"],
    )
    session = f"{BOB}/sessions/s1"
    await events.apply(
        SessionRevoked(
            session=session, user=BOB, reason=session_pb2.SESSION_REVOCATION_REASON_LOGOUT
        )
    )
    assert await inbox(parts, BOB) == []  # signing out oneself is no news
    stolen = await events.apply(
        SessionRevoked(
            session=session,
            user=BOB,
            reason=session_pb2.SESSION_REVOCATION_REASON_REFRESH_TOKEN_REUSE,
        )
    )
    await events.apply(stolen)  # delivered again: still one notice
    [told] = await inbox(parts, BOB)
    assert (told.title, told.category, told.link) == (
        "A sign-in of yours was ended: its refresh token was used twice",
        Category.ACCOUNT,
        session,
    )
    assert "change your password" in told.body
    page = await parts.inbox.deliveries(BOB, told.name, 10, "")
    assert [(one.channel, one.state) for one in page.items][:2] == [
        (Channel.IN_APP, DeliveryState.SENT),
        (Channel.EMAIL, DeliveryState.PENDING),
    ]


async def test_answers_and_training_tell_their_owner(
    parts: NotificationParts, events: Events
) -> None:
    await events.apply(
        AnswerCompleted(
            message="users/bob/conversations/c1/messages/m2",
            conversation="users/bob/conversations/c1",
            user=BOB,
            question="How do I get a laptop?",
        )
    )
    await events.apply(
        ModelRegistered(model="models/ranker", display_name="Ranker", owner=Actor(name=ADA))
    )
    job = "models/ranker/trainingJobs/j1"
    await events.apply(
        TrainingJobStateChanged(
            training_job=job,
            model="models/ranker",
            previous_state=training_job_pb2.TRAINING_JOB_STATE_QUEUED,
            state=training_job_pb2.TRAINING_JOB_STATE_RUNNING,
        )
    )
    await events.apply(
        TrainingJobStateChanged(
            training_job=job,
            model="models/ranker",
            state=training_job_pb2.TRAINING_JOB_STATE_FAILED,
            error_message="out of memory",
        )
    )
    await events.apply(
        ModelPromoted(
            model_version="models/ranker/versions/3",
            model="models/ranker",
            stage=model_pb2.MODEL_STAGE_PRODUCTION,
            promoted_by=Actor(name=ADA),
        )
    )
    [answer] = await inbox(parts, BOB)
    assert (answer.title, answer.body, answer.link) == (
        "Your answer is ready",
        "How do I get a laptop?",
        "users/bob/conversations/c1",
    )
    [training] = await inbox(parts, ADA)  # running is no news; her own promotion neither
    assert (training.title, training.body) == ("Training of Ranker failed", "out of memory")
