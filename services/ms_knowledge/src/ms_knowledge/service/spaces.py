"""Use cases on spaces: create, read, list, update (field mask) and delete."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from knowledge_kit.api import Page, check_etag, checked_resource_id, new_etag
from knowledge_kit.errors import AlreadyExistsError, ConflictError, PermissionDeniedError

from ..domain.events import SpaceCreated, SpaceDeleted, SpaceUpdated
from ..domain.names import checked_space_name, space_name
from ..domain.roles import SpaceAction, SpaceRole
from ..domain.spaces import (
    Space,
    SpaceMember,
    checked_description,
    checked_display_name,
)
from .access import existing_space, require_role
from .use_cases import ListingUseCases

UPDATABLE_SPACE_FIELDS = ("display_name", "description")


@dataclass(frozen=True, slots=True)
class SpaceChanges:
    """New values for the fields in `paths` (other values are ignored)."""

    paths: AbstractSet[str]
    display_name: str = ""
    description: str = ""


class SpaceUseCases(ListingUseCases):
    """What callers can do with spaces; each call is one unit of work."""

    async def create_space(
        self, caller: str, *, space_id: str, display_name: str, description: str
    ) -> Space:
        """A new space with the caller as its owner."""
        if not caller.startswith("users/"):
            raise PermissionDeniedError("only users can own spaces")
        now = self._clock()
        space = Space(
            name=space_name(checked_resource_id(space_id, "space_id")),
            display_name=checked_display_name(display_name, "space.display_name"),
            description=checked_description(description, "space.description"),
            create_time=now,
            update_time=now,
            etag=new_etag(),
        )
        async with self._unit_of_work() as work:
            if await work.spaces.get(space.name) is not None:
                raise AlreadyExistsError(f"{space.name} already exists")
            await work.spaces.add(space)
            await work.members.add(SpaceMember(space.name, caller, SpaceRole.OWNER, now, caller))
            await work.record(SpaceCreated(space, creator=caller))
            await work.commit()
        return space

    async def get_space(self, caller: str, name: str) -> Space:
        """The space, for any of its members."""
        checked_space_name(name, "name")
        async with self._unit_of_work() as work:
            await require_role(work, name, caller, SpaceAction.READ_SPACE)
            return await existing_space(work, name)

    async def list_spaces(self, caller: str, page_size: int, page_token: str) -> Page[Space]:
        """The spaces the caller belongs to, by display name."""
        request = self._pages.request(page_size, page_token, listing=(caller,))
        async with self._unit_of_work() as work:
            fetched = await work.spaces.list_for_member(
                caller, offset=request.offset, limit=request.fetch_limit
            )
        return request.page_at_offset(fetched)

    async def update_space(
        self, caller: str, name: str, changes: SpaceChanges, *, etag: str
    ) -> Space:
        """The space with the masked fields changed; owners only, with the current etag (AIP-154:
        INVALID_ARGUMENT without one, ABORTED on a stale one)."""
        checked_space_name(name, "space.name")
        async with self._unit_of_work() as work:
            await require_role(work, name, caller, SpaceAction.UPDATE_SPACE)
            space = await existing_space(work, name)
            check_etag(etag, space.etag, resource=name, field="space.etag", required=True)
            display_name, description = space.display_name, space.description
            if "display_name" in changes.paths:
                display_name = checked_display_name(changes.display_name, "space.display_name")
            if "description" in changes.paths:
                description = checked_description(changes.description, "space.description")
            changed = tuple(
                path
                for path, before, after in (
                    ("display_name", space.display_name, display_name),
                    ("description", space.description, description),
                )
                if before != after
            )
            if not changed:
                return space
            updated = space.changed(
                display_name=display_name, description=description, at=self._clock()
            )
            if not await work.spaces.replace(updated, expected_etag=space.etag):
                raise ConflictError(f"{name} changed while it was being updated")
            await work.record(SpaceUpdated(updated, changed_fields=changed, updated_by=caller))
            await work.commit()
        return updated

    async def delete_space(self, caller: str, name: str, *, etag: str) -> None:
        """Delete the space with its documents; owners only."""
        checked_space_name(name, "name")
        async with self._unit_of_work() as work:
            await require_role(work, name, caller, SpaceAction.DELETE_SPACE)
            space = await existing_space(work, name)
            check_etag(etag, space.etag, resource=name, field="etag", required=False)
            await work.spaces.remove(name)
            await work.record(SpaceDeleted(name, deleted_by=caller))
            await work.commit()
        self._feed.close_space(name)
