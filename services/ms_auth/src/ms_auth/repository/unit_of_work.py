"""The kit's unit of work with every Auth repository on its session."""

from __future__ import annotations

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events.outbox import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.events import EventRecorder
from ..domain.service_accounts import ServiceAccountRepository
from ..domain.sessions import RefreshTokenRepository, SessionRepository
from ..domain.signing_keys import SigningKeyRepository
from ..domain.throttling import SignInThrottleRepository
from ..domain.users import UserRepository
from .events import OutboxEventRecorder
from .service_accounts import SqlServiceAccountRepository
from .sessions import SqlRefreshTokenRepository, SqlSessionRepository
from .signing_keys import PrivateKeyCodec, SqlSigningKeyRepository
from .throttles import SqlSignInThrottleRepository
from .users import SqlUserRepository


class SqlAuthUnitOfWork(UnitOfWork):
    """One database transaction; events recorded in it are published only if it commits."""

    users: UserRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    throttles: SignInThrottleRepository
    signing_keys: SigningKeyRepository
    service_accounts: ServiceAccountRepository
    events: EventRecorder

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, codec: PrivateKeyCodec, outbox: Outbox
    ) -> None:
        super().__init__(sessions)
        self._codec = codec
        self._outbox = outbox

    def on_begin(self, session: AsyncSession) -> None:
        self.users = SqlUserRepository(session)
        self.sessions = SqlSessionRepository(session)
        self.refresh_tokens = SqlRefreshTokenRepository(session)
        self.throttles = SqlSignInThrottleRepository(session)
        self.signing_keys = SqlSigningKeyRepository(session, self._codec)
        self.service_accounts = SqlServiceAccountRepository(session)
        self.events = OutboxEventRecorder(session, self._outbox)
