"""gRPC servicers and the JWKS HTTP endpoint: protobuf (or JSON) in, use cases, protobuf out."""
