"""WebSocket building blocks on the `websockets` library: authenticated connect, rooms with
bounded per-client send queues, keepalive pings, and fan-out across instances through Kafka."""

from knowledge_kit.websocket.fanout import RoomFanout
from knowledge_kit.websocket.hub import RoomHub, RoomMember, SlowClientPolicy
from knowledge_kit.websocket.server import SUBPROTOCOL, serve_websockets

__all__ = [
    "SUBPROTOCOL",
    "RoomFanout",
    "RoomHub",
    "RoomMember",
    "SlowClientPolicy",
    "serve_websockets",
]
