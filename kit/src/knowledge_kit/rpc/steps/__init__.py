"""The kit's RPC steps, each one concern, composable in any order a service needs."""

from knowledge_kit.rpc.steps.authentication import Authenticate
from knowledge_kit.rpc.steps.error_mapping import MapErrors
from knowledge_kit.rpc.steps.logging import LogRpc
from knowledge_kit.rpc.steps.metrics import RecordMetrics
from knowledge_kit.rpc.steps.nul_characters import RefuseNulCharacters
from knowledge_kit.rpc.steps.observe import ObserveRpc
from knowledge_kit.rpc.steps.tracing import TraceRpc

__all__ = [
    "Authenticate",
    "LogRpc",
    "MapErrors",
    "ObserveRpc",
    "RecordMetrics",
    "RefuseNulCharacters",
    "TraceRpc",
]
