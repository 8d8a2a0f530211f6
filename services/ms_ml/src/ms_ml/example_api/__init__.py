"""The worked example's contract, compiled from proto/example_api/v1/example.proto (delete with it)."""
