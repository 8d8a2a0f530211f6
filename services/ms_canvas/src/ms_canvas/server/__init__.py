"""The gRPC servicer and the collaboration WebSocket: wire formats in, use cases called."""
