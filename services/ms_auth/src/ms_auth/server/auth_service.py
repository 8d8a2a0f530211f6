"""knowledge.auth.v1.AuthService on top of the sign-in, session, key and service account use cases."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge_kit.api import caller

from ..service.service_accounts import ServiceAccountUseCases
from ..service.sessions import SessionUseCases
from ..service.sign_in import SignedIn, SignInUseCases
from ..service.signing_keys import SigningKeyUseCases
from .client_details import client_details
from .messages import (
    json_web_key_message,
    service_account_message,
    session_message,
    timestamp,
    token_pair_message,
    user_message,
)

Context = grpc.aio.ServicerContext[Any, Any]


class AuthServicer(auth_service_pb2_grpc.AuthServiceServicer):
    """Maps each RPC to one use case."""

    def __init__(
        self,
        *,
        sign_in: SignInUseCases,
        sessions: SessionUseCases,
        keys: SigningKeyUseCases,
        service_accounts: ServiceAccountUseCases,
    ) -> None:
        self._sign_in = sign_in
        self._sessions = sessions
        self._keys = keys
        self._service_accounts = service_accounts

    async def Register(
        self, request: auth_service_pb2.RegisterRequest, context: Context
    ) -> auth_service_pb2.RegisterResponse:
        signed_in = await self._sign_in.register(
            request.email,
            request.password,
            request.display_name,
            client_details(request.user_agent, context),
        )
        return auth_service_pb2.RegisterResponse(**_signed_in_fields(signed_in))

    async def Login(
        self, request: auth_service_pb2.LoginRequest, context: Context
    ) -> auth_service_pb2.LoginResponse:
        signed_in = await self._sign_in.login(
            request.email, request.password, client_details(request.user_agent, context)
        )
        return auth_service_pb2.LoginResponse(**_signed_in_fields(signed_in))

    async def Logout(
        self, request: auth_service_pb2.LogoutRequest, context: Context
    ) -> auth_service_pb2.LogoutResponse:
        await self._sessions.logout(request.refresh_token)
        return auth_service_pb2.LogoutResponse()

    async def RefreshToken(
        self, request: auth_service_pb2.RefreshTokenRequest, context: Context
    ) -> auth_service_pb2.RefreshTokenResponse:
        tokens = await self._sessions.refresh(request.refresh_token)
        return auth_service_pb2.RefreshTokenResponse(tokens=token_pair_message(tokens))

    async def ListSessions(
        self, request: auth_service_pb2.ListSessionsRequest, context: Context
    ) -> auth_service_pb2.ListSessionsResponse:
        page = await self._sessions.list_sessions(
            caller(), request.parent, request.page_size, request.page_token
        )
        return auth_service_pb2.ListSessionsResponse(
            sessions=[
                session_message(session, current=session.id == page.current_session_id)
                for session in page.sessions
            ],
            next_page_token=page.next_page_token,
        )

    async def RevokeSession(
        self, request: auth_service_pb2.RevokeSessionRequest, context: Context
    ) -> auth_service_pb2.RevokeSessionResponse:
        await self._sessions.revoke_session(caller(), request.name)
        return auth_service_pb2.RevokeSessionResponse()

    async def GetJwks(
        self, request: auth_service_pb2.GetJwksRequest, context: Context
    ) -> auth_service_pb2.GetJwksResponse:
        keys = await self._keys.published_keys()
        return auth_service_pb2.GetJwksResponse(keys=[json_web_key_message(key) for key in keys])

    async def IssueServiceAccountToken(
        self, request: auth_service_pb2.IssueServiceAccountTokenRequest, context: Context
    ) -> auth_service_pb2.IssueServiceAccountTokenResponse:
        issued = await self._service_accounts.issue_token(
            request.name, request.secret, list(request.scopes), request.audience
        )
        return auth_service_pb2.IssueServiceAccountTokenResponse(
            access_token=issued.access_token.token,
            expire_time=timestamp(issued.access_token.expire_time),
            service_account=service_account_message(issued.account),
        )


def _signed_in_fields(signed_in: SignedIn) -> dict[str, Any]:
    return {
        "user": user_message(signed_in.user),
        "session": session_message(signed_in.session, current=True),
        "tokens": token_pair_message(signed_in.tokens),
    }
