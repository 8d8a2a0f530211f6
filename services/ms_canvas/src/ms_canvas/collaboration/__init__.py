"""The y-websocket protocol: lib0 encoding, sync and awareness messages, the shared room."""
