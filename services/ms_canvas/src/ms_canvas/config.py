"""Settings of ms_canvas, read from `MS_CANVAS_*` environment variables."""

from knowledge_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """The kit's settings every service has, plus this service's own."""

    model_config = SettingsConfigDict(env_prefix="MS_CANVAS_", frozen=True)

    service_name: str = "ms_canvas"
    grpc_port: int = Field(default=50053, ge=0, le=65535)
    database_url: str = "sqlite+aiosqlite:///./canvas.db"
    websocket_host: str = "0.0.0.0"
    websocket_port: int = Field(default=8765, ge=0, le=65535)
    # Frames larger than this close the connection (1009); one Yjs update rarely nears it.
    websocket_max_message_bytes: int = Field(default=1 << 20, ge=1024)
    # Bytes written to one client and not yet taken by it; a client this far behind is
    # disconnected (1013) and resynchronizes when it reconnects.
    websocket_send_buffer_bytes: int = Field(default=4 << 20, ge=1024)
    websocket_ping_interval_seconds: float = Field(default=20.0, gt=0)
    # Where ms_knowledge answers who may read or write a space.
    knowledge_target: str = "ms-knowledge:50052"
    # Updates arriving within this many seconds are stored in one transaction. Peers get an
    # update at once; storing it (and so its revision, gRPC watchers, other instances) waits
    # at most this long, and so is the most a crash can take from the service's copy.
    update_batch_seconds: float = Field(default=0.05, ge=0, le=1)
    # Updates stored for a canvas before they are compacted into its snapshot.
    compact_after_updates: int = Field(default=500, ge=1)
    # At most one CanvasChanged event per canvas this often.
    canvas_changed_debounce_seconds: float = Field(default=5.0, gt=0)
    # Fan updates out to other instances through canvas.updates.v1 (off: one instance only).
    relay_updates: bool = True
    produced_topics: tuple[str, ...] = (
        "canvas.canvases.v1",
        "canvas.updates.v1",
    )
    # canvas.updates.v1 is read by the relay between instances, knowledge.spaces.v1 by the
    # event consumer.
    consumed_topics: tuple[str, ...] = (
        "canvas.updates.v1",
        "knowledge.spaces.v1",
    )
