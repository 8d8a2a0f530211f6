"""gRPC servicers: protobuf to domain and back, nothing else."""
