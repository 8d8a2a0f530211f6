"""Every use case checks the caller's role: outsiders learn nothing, roles bound what members do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from knowledge_kit.errors import NotFoundError, PermissionDeniedError

from ms_knowledge.domain.documents import Document
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.domain.spaces import Space
from ms_knowledge.service.documents import DocumentChanges, DocumentDraft, SeenRevision
from ms_knowledge.service.spaces import SpaceChanges

from .conftest import EDITOR, OWNER, STRANGER, VIEWER, Knowledge

UseCase = Callable[[Knowledge, str, Space, Document], Awaitable[object]]


async def _watch_first_change(k: Knowledge, caller: str, document: Document) -> object:
    return await anext(await k.watch.watch_document(caller, document.name))


# Each use case, and the least role that may run it.
USE_CASES: dict[str, tuple[SpaceRole, UseCase]] = {
    "get space": (SpaceRole.VIEWER, lambda k, c, s, d: k.spaces.get_space(c, s.name)),
    "update space": (
        SpaceRole.OWNER,
        lambda k, c, s, d: k.spaces.update_space(
            c, s.name, SpaceChanges({"display_name"}, display_name="Renamed"), etag=s.etag
        ),
    ),
    "delete space": (SpaceRole.OWNER, lambda k, c, s, d: k.spaces.delete_space(c, s.name, etag="")),
    "list members": (SpaceRole.VIEWER, lambda k, c, s, d: k.members.list_members(c, s.name, 0, "")),
    "invite member": (
        SpaceRole.OWNER,
        lambda k, c, s, d: k.members.invite_member(c, s.name, "users/new", SpaceRole.VIEWER),
    ),
    "change role": (
        SpaceRole.OWNER,
        lambda k, c, s, d: k.members.change_role(c, f"{s.name}/members/vera", SpaceRole.EDITOR),
    ),
    "remove another member": (
        SpaceRole.OWNER,
        lambda k, c, s, d: k.members.remove_member(
            c, f"{s.name}/members/{'eddie' if c == VIEWER else 'vera'}"
        ),
    ),
    "create document": (
        SpaceRole.EDITOR,
        lambda k, c, s, d: k.documents.create_document(c, s.name, DocumentDraft("New", "")),
    ),
    "get document": (SpaceRole.VIEWER, lambda k, c, s, d: k.documents.get_document(c, d.name)),
    "list documents": (
        SpaceRole.VIEWER,
        lambda k, c, s, d: k.documents.list_documents(c, s.name, 0, "", ""),
    ),
    "update document": (
        SpaceRole.EDITOR,
        lambda k, c, s, d: k.documents.update_document(
            c, d.name, DocumentChanges({"content"}, content="changed"), SeenRevision(d.etag)
        ),
    ),
    "delete document": (
        SpaceRole.EDITOR,
        lambda k, c, s, d: k.documents.delete_document(c, d.name, etag=""),
    ),
    "list versions": (
        SpaceRole.VIEWER,
        lambda k, c, s, d: k.versions.list_versions(c, d.name, 0, ""),
    ),
    "get version": (
        SpaceRole.VIEWER,
        lambda k, c, s, d: k.versions.get_version(c, f"{d.name}/versions/1"),
    ),
    "restore version": (
        SpaceRole.EDITOR,
        lambda k, c, s, d: k.versions.restore_version(c, f"{d.name}/versions/1", etag=d.etag),
    ),
    "watch document": (
        SpaceRole.VIEWER,
        lambda k, c, s, d: _watch_first_change(k, c, d),
    ),
}

CALLERS = {SpaceRole.OWNER: OWNER, SpaceRole.EDITOR: EDITOR, SpaceRole.VIEWER: VIEWER}
CASES = [
    pytest.param(use_case, role, id=f"{use_case}-as-{role.name.lower()}")
    for use_case in USE_CASES
    for role in CALLERS
]


@pytest.mark.parametrize(("use_case", "role"), CASES)
async def test_members_may_do_what_their_role_permits(
    knowledge: Knowledge, use_case: str, role: SpaceRole
) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    least_role, run = USE_CASES[use_case]
    before = knowledge.store.state

    if role >= least_role:
        await run(knowledge, CALLERS[role], space, document)
    else:
        with pytest.raises(PermissionDeniedError):
            await run(knowledge, CALLERS[role], space, document)
        assert knowledge.store.state is before, "a refused use case changed the store"


@pytest.mark.parametrize("use_case", list(USE_CASES))
async def test_outsiders_learn_nothing_about_a_space(knowledge: Knowledge, use_case: str) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    _, run = USE_CASES[use_case]
    before = knowledge.store.state

    with pytest.raises(NotFoundError) as refused:
        await run(knowledge, STRANGER, space, document)

    assert refused.value.message == f"{space.name} does not exist"
    assert knowledge.store.state is before
