"""gRPC servicers: protobuf in, use case called, protobuf out; nothing else."""
