"""The repository protocols implemented with SQLAlchemy, and the outbox for events."""
