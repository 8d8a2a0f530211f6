"""gRPC on grpc.aio: the server bootstrap, the RPC pipeline and its steps, the client factory."""

from knowledge_kit.rpc.call import RpcCall, current_call
from knowledge_kit.rpc.pipeline import BindingStep, Proceed, RpcPipeline, RpcStep, compose
from knowledge_kit.rpc.server import ServiceServer, default_steps, token_verifier

__all__ = [
    "BindingStep",
    "Proceed",
    "RpcCall",
    "RpcPipeline",
    "RpcStep",
    "ServiceServer",
    "compose",
    "current_call",
    "default_steps",
    "token_verifier",
]
