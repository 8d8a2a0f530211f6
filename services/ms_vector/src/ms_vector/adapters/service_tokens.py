"""Who ms_vector is when it reads ms_ml on its own (no user's call to relay): its service
account, signed in at ms_auth with client credentials, the token asked for again a minute
before it runs out; or a token handed to it (`ML_TOKEN`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Protocol

import grpc
from knowledge.auth.v1 import auth_service_pb2
from knowledge.auth.v1.auth_service_pb2_grpc import AuthServiceStub
from knowledge_kit.api import Clock, utc_now

RENEW_BEFORE = timedelta(seconds=60)


class TokenSource(Protocol):
    async def token(self) -> str:
        """A bearer token valid now ("" for none)."""
        ...


class FixedToken:
    """The same token every time (or none)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token


class ServiceAccountTokens:
    """Tokens of the service account `name` for `audience` from ms_auth on `channel`."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        name: str,
        secret: str,
        audience: str,
        clock: Clock = utc_now,
    ) -> None:
        self._auth = AuthServiceStub(channel)
        self._request = auth_service_pb2.IssueServiceAccountTokenRequest(
            name=name, secret=secret, audience=audience
        )
        self._clock = clock
        self._token = ""
        self._renew_at = clock()
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if not self._token or self._clock() >= self._renew_at:
                issued = await self._auth.IssueServiceAccountToken(self._request)
                self._token = issued.access_token
                expires = issued.expire_time.ToDatetime(tzinfo=self._clock().tzinfo)
                self._renew_at = expires - RENEW_BEFORE
            return self._token
