"""The Auth service's own RPC policy on top of the kit's pipeline."""
