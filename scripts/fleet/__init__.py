"""The fleet CLI: creates, wires and ships the knowledge platform's services."""
