"""Use cases: each checks the caller's access, runs in one unit of work, records its events."""
