"""The Auth service's tables and the SQLAlchemy repositories that map them to the domain."""
