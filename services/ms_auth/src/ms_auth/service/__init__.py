"""The Auth service's use cases: each runs in one unit of work and speaks in domain terms."""
