"""This service's own RPC policy, added to the kit's pipeline (logging, metrics, auth, errors)."""
