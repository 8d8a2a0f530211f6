"""y-websocket on the wire: lib0 encoding, sync and awareness messages, binary frames."""
