"""Reading accounts, display names and platform roles, and who may do each."""

from __future__ import annotations

import pytest
from knowledge_kit.auth import Principal
from knowledge_kit.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationError

from ms_auth.domain.events import UserRoleChanged
from ms_auth.domain.users import PlatformRole

from .conftest import ADMIN_EMAIL, Auth


async def test_users_read_their_own_account_as_users_me(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    caller = await auth.principal(ada)
    assert (await auth.users.get_user(caller, "users/me")).id == ada.user.id
    assert (await auth.users.get_user(caller, ada.user.name)).email == "ada@example.com"


async def test_members_may_not_read_other_accounts_but_services_may(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    bob = await auth.principal(await auth.register("bob@example.com"))
    with pytest.raises(PermissionDeniedError):
        await auth.users.get_user(bob, ada.user.name)
    service = Principal(name="serviceAccounts/ms_knowledge")
    assert (await auth.users.get_user(service, ada.user.name)).id == ada.user.id


async def test_listing_accounts_is_for_administrators_in_email_order(auth: Auth) -> None:
    member = await auth.principal(await auth.register("zed@example.com"))
    admin = await auth.principal(await auth.register(ADMIN_EMAIL))
    await auth.register("amy@example.com")
    with pytest.raises(PermissionDeniedError):
        await auth.users.list_users(member, 0, "")
    page = await auth.users.list_users(admin, 2, "")
    rest = await auth.users.list_users(admin, 2, page.next_page_token)
    emails = [u.email for u in page.items + rest.items]
    assert emails == ["amy@example.com", ADMIN_EMAIL, "zed@example.com"]


async def test_users_change_only_their_own_display_name(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    bob = await auth.register("bob@example.com")
    caller = await auth.principal(ada)
    changed = await auth.users.update_display_name(caller, "users/me", " Ada L. ")
    assert changed.display_name == "Ada L."
    with pytest.raises(PermissionDeniedError):
        await auth.users.update_display_name(caller, bob.user.name, "Bob")


async def test_administrators_change_roles_and_an_event_says_who(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    root = await auth.register(ADMIN_EMAIL)
    admin = await auth.principal(root)
    promoted = await auth.users.update_role(admin, ada.user.name, PlatformRole.ADMIN)
    assert promoted.role is PlatformRole.ADMIN
    assert await auth.users.get_role(admin, ada.user.name) is PlatformRole.ADMIN
    assert auth.store.state.events[-1] == UserRoleChanged(
        ada.user.id, PlatformRole.MEMBER, PlatformRole.ADMIN, root.user.name, root.user.display_name
    )


async def test_members_may_not_change_roles(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    with pytest.raises(PermissionDeniedError):
        await auth.users.update_role(await auth.principal(ada), ada.user.name, PlatformRole.ADMIN)


async def test_a_demoted_admin_loses_admin_rights_before_the_token_expires(auth: Auth) -> None:
    root = await auth.register(ADMIN_EMAIL)
    ada = await auth.register("ada@example.com")
    admin = await auth.principal(root)
    await auth.users.update_role(admin, ada.user.name, PlatformRole.ADMIN)
    second_admin = await auth.principal(ada)
    await auth.users.update_role(second_admin, root.user.name, PlatformRole.MEMBER)
    with pytest.raises(PermissionDeniedError):
        await auth.users.list_users(admin, 0, "")


async def test_the_last_administrator_stays_one(auth: Auth) -> None:
    root = await auth.register(ADMIN_EMAIL)
    with pytest.raises(DomainError, match="last administrator"):
        await auth.users.update_role(
            await auth.principal(root), root.user.name, PlatformRole.MEMBER
        )


async def test_role_refusals_name_the_field_or_the_missing_user(auth: Auth) -> None:
    admin = await auth.principal(await auth.register(ADMIN_EMAIL))
    with pytest.raises(ValidationError) as no_role:
        await auth.users.update_role(admin, "users/me", None)
    assert no_role.value.violations[0].field == "role"
    with pytest.raises(ValidationError) as bad_name:
        await auth.users.update_role(admin, "people/ada", PlatformRole.ADMIN)
    assert bad_name.value.violations[0].field == "name"
    with pytest.raises(NotFoundError):
        await auth.users.update_role(admin, f"users/{'0' * 32}", PlatformRole.ADMIN)
