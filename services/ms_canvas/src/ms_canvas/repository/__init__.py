"""SQLAlchemy implementations of the canvas repositories, and the ms_knowledge gateway."""
