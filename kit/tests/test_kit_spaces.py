"""The space membership projection: knowledge.spaces.v1 applied in the consumer's transaction
answers who may read which space, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf.message import Message
from knowledge.common.v1 import event_envelope_pb2
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import (
    SpaceCreated,
    SpaceDeleted,
    SpaceMemberAdded,
    SpaceMemberRemoved,
)
from knowledge.knowledge.v1.space_pb2 import SpaceRole
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database.migration_check import check_migrations_on, declared_schema
from knowledge_kit.errors import ValidationError
from knowledge_kit.events import EVENTS_METADATA
from knowledge_kit.events.consumer import ConsumedEvent
from knowledge_kit.spaces import (
    SPACES_METADATA,
    MemberRole,
    SpaceMemberships,
    space_membership_handlers,
)

MIGRATIONS = Path(__file__).parent / "space_migrations"
VIEWER = SpaceRole.SPACE_ROLE_VIEWER
EDITOR = SpaceRole.SPACE_ROLE_EDITOR
HANDBOOK = "spaces/handbook"
ROADMAP = "spaces/roadmap"


@pytest.fixture
def service_migrations() -> Path:
    return MIGRATIONS


@pytest.fixture(params=["sqlite", "postgresql"], autouse=True)
def database_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    backend = str(request.param)
    monkeypatch.setenv("KNOWLEDGE_TEST_DATABASE", backend)
    return backend


class Applier:
    """Applies events the way the kit's consumer does: each in its own transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], hook_calls: list[str]) -> None:
        self.sessions = sessions

        async def drop_space_data(event: ConsumedEvent, space: str) -> None:
            await event.session.execute(text("SELECT 1"))
            hook_calls.append(space)

        self.handlers = space_membership_handlers(on_space_deleted=drop_space_data)

    async def apply(self, payload: Message) -> None:
        async with self.sessions() as session, session.begin():
            envelope = event_envelope_pb2.EventEnvelope(id="e", type=payload.DESCRIPTOR.full_name)
            await self.handlers[type(payload)](ConsumedEvent(payload, envelope, session))


@pytest.fixture
def hook_calls() -> list[str]:
    return []


@pytest.fixture
def applier(sessions: async_sessionmaker[AsyncSession], hook_calls: list[str]) -> Applier:
    return Applier(sessions, hook_calls)


async def _readable(applier: Applier, user: str) -> frozenset[str]:
    async with applier.sessions() as session:
        return await SpaceMemberships(session).readable_spaces(user)


async def _members(applier: Applier, space: str) -> dict[str, MemberRole]:
    async with applier.sessions() as session:
        return await SpaceMemberships(session).members_of(space)


async def test_the_creator_owns_the_space_and_added_members_read_it(applier: Applier) -> None:
    await applier.apply(SpaceCreated(space=HANDBOOK, creator=Actor(name="users/ada")))
    await applier.apply(SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=VIEWER))
    await applier.apply(SpaceCreated(space=ROADMAP, creator=Actor(name="users/bob")))

    assert await _members(applier, HANDBOOK) == {
        "users/ada": MemberRole.OWNER,
        "users/bob": MemberRole.VIEWER,
    }
    assert await _readable(applier, "users/bob") == {HANDBOOK, ROADMAP}
    assert await _readable(applier, "users/ada") == {HANDBOOK}
    assert await _readable(applier, "users/eve") == frozenset()


async def test_a_new_role_replaces_the_old_one_and_a_removed_member_reads_nothing(
    applier: Applier,
) -> None:
    await applier.apply(SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=VIEWER))
    await applier.apply(SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=EDITOR))
    async with applier.sessions() as session:
        assert await SpaceMemberships(session).role_of(HANDBOOK, "users/bob") is MemberRole.EDITOR

    await applier.apply(SpaceMemberRemoved(space=HANDBOOK, user="users/bob"))

    assert await _readable(applier, "users/bob") == frozenset()
    async with applier.sessions() as session:
        assert await SpaceMemberships(session).role_of(HANDBOOK, "users/bob") is None


async def test_a_deleted_space_leaves_no_member_and_runs_the_services_hook(
    applier: Applier, hook_calls: list[str]
) -> None:
    await applier.apply(SpaceCreated(space=HANDBOOK, creator=Actor(name="users/ada")))
    await applier.apply(SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=EDITOR))
    await applier.apply(SpaceCreated(space=ROADMAP, creator=Actor(name="users/ada")))

    await applier.apply(SpaceDeleted(space=HANDBOOK))

    assert await _members(applier, HANDBOOK) == {}
    assert await _readable(applier, "users/ada") == {ROADMAP}
    assert hook_calls == [HANDBOOK]


async def test_a_service_account_creating_a_space_is_not_a_member(applier: Applier) -> None:
    await applier.apply(
        SpaceCreated(space=HANDBOOK, creator=Actor(name="serviceAccounts/importer"))
    )
    assert await _members(applier, HANDBOOK) == {}


@pytest.mark.parametrize(
    "payload",
    [
        SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=SpaceRole.ValueType(9)),
        SpaceMemberAdded(space=HANDBOOK, user="", role=VIEWER),
        SpaceMemberRemoved(space="", user="users/bob"),
        SpaceDeleted(space=""),
    ],
    ids=["unknown-role", "no-user", "no-space", "deleted-no-space"],
)
async def test_a_malformed_record_is_refused_and_changes_nothing(
    applier: Applier, payload: Message
) -> None:
    await applier.apply(SpaceMemberAdded(space=HANDBOOK, user="users/bob", role=VIEWER))
    with pytest.raises(ValidationError):
        await applier.apply(payload)
    assert await _members(applier, HANDBOOK) == {"users/bob": MemberRole.VIEWER}


async def test_the_migration_helper_creates_what_the_metadata_declares(
    database_backend: str,
) -> None:
    declared = declared_schema([EVENTS_METADATA, SPACES_METADATA])
    await check_migrations_on(database_backend, MIGRATIONS, declared)
