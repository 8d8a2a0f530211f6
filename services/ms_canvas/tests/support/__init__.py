"""What the service's gRPC and WebSocket tests run on (no tests here): ms_canvas as real
processes, a SpaceService answering who belongs to which space, and yjs clients in Node."""
