"""Settings of ms_notifications, read from `MS_NOTIFICATIONS_*` environment variables."""

import hashlib

from knowledge_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

NOTIFICATION_SERVICE = "/knowledge.notifications.v1.NotificationService"
# A mail's one-click unsubscribe link and the browser's Web Push set-up come without a token.
PUBLIC_METHODS = frozenset(
    f"{NOTIFICATION_SERVICE}/{method}" for method in ("UnsubscribeEmail", "GetPushConfiguration")
)


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own.

    Email goes out when `smtp_host` is set and push when `vapid_private_key` is; without them
    their deliveries wait (pending) until a deployment configures the channel.
    """

    model_config = SettingsConfigDict(
        env_prefix="MS_NOTIFICATIONS_",
        frozen=True,
    )

    service_name: str = "ms_notifications"
    grpc_port: int = Field(default=50057, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./notifications.db"
    produced_topics: tuple[str, ...] = ("notifications.deliveries.v1",)
    consumed_topics: tuple[str, ...] = (
        "auth.users.v1",
        "auth.sessions.v1",
        "knowledge.spaces.v1",
        "knowledge.documents.v1",
        "chat.conversations.v1",
        "ml.models.v1",
        "ml.training.v1",
    )
    public_methods: frozenset[str] = PUBLIC_METHODS
    # How often each instance looks for inbox changes other instances committed, for its
    # open streams (its own commits wake them at once).
    stream_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    # How often each instance looks for snoozes that ended (their notifications come back).
    snooze_check_seconds: float = Field(default=1.0, gt=0, le=60)
    # SMTP, for email (none: email deliveries wait).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    email_from: str = "notifications@localhost"
    # Web Push: the VAPID private key (PEM or base64url; none: push deliveries wait) and the
    # contact the push services see.
    vapid_private_key: SecretStr | None = None
    vapid_subject: str = "mailto:notifications@localhost"
    # Where the web app is, for the links in mails (unsubscribe, the notification's page).
    public_base_url: str = "http://localhost:3000"
    # The key unsubscribe links are signed with; the same on every instance. Unset, it derives
    # from the service name (links still work, but anyone knowing the name could forge one).
    unsubscribe_secret: SecretStr | None = None
    delivery_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    delivery_batch_size: int = Field(default=100, ge=1, le=1000)

    def unsubscribe_key(self) -> bytes:
        if self.unsubscribe_secret is not None:
            return self.unsubscribe_secret.get_secret_value().encode()
        return hashlib.sha256(f"unsubscribe {self.service_name}".encode()).digest()
