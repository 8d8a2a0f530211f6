"""Entities, their rules and the repository protocols; plain Python, no I/O."""
