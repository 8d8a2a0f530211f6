"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from knowledge.auth.v1 import auth_service_pb2 as auth_rpc
from knowledge.auth.v1 import user_pb2
from knowledge.auth.v1 import user_service_pb2 as user_rpc
from knowledge_kit.testing.fuzz_server import fuzz_server

from ms_auth.service.service_accounts import ServiceAccountSpec

from ..conftest import ADMIN_EMAIL, PASSWORD
from .conftest import RunningAuth, bearer

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0
ROBOT = ServiceAccountSpec(name="serviceAccounts/robot", secret="robot-secret-0123456789")


async def seeds(running: RunningAuth) -> dict[str, dict[str, Message]]:
    """A valid request per method (by service, then method name) on a member's account and
    session, so that each case changes one field of a request that would succeed; the fuzzed
    sign-ins are the member's, so the administrator is never locked out."""
    await running.use_cases.service_accounts.provision([ROBOT])
    member = await running.register("member@example.com")
    return {
        "AuthService": {
            "Register": auth_rpc.RegisterRequest(
                email="new@example.com", password=PASSWORD, display_name="New", user_agent="fuzz"
            ),
            "Login": auth_rpc.LoginRequest(
                email="member@example.com", password=PASSWORD, user_agent="fuzz"
            ),
            "Logout": auth_rpc.LogoutRequest(refresh_token=member.tokens.refresh_token),
            "RefreshToken": auth_rpc.RefreshTokenRequest(refresh_token=member.tokens.refresh_token),
            "ListSessions": auth_rpc.ListSessionsRequest(parent=member.user.name, page_size=2),
            "RevokeSession": auth_rpc.RevokeSessionRequest(name=member.session.name),
            "IssueServiceAccountToken": auth_rpc.IssueServiceAccountTokenRequest(
                name=ROBOT.name, secret=ROBOT.secret
            ),
        },
        "UserService": {
            "GetUser": user_rpc.GetUserRequest(name=member.user.name),
            "ListUsers": user_rpc.ListUsersRequest(page_size=2),
            "UpdateUser": user_rpc.UpdateUserRequest(
                user=user_pb2.User(name="users/me", display_name="Renamed"),
                update_mask=FieldMask(paths=["display_name"]),
            ),
            "GetUserRole": user_rpc.GetUserRoleRequest(name=member.user.name),
            "UpdateUserRole": user_rpc.UpdateUserRoleRequest(
                name=member.user.name, role=user_pb2.PLATFORM_ROLE_ADMIN
            ),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    running: RunningAuth,
) -> None:
    admin = bearer((await running.register(ADMIN_EMAIL)).tokens.access_token)
    await fuzz_server(
        running.channel, metadata=admin, seeds=await seeds(running), budget_seconds=BUDGET_SECONDS
    )
