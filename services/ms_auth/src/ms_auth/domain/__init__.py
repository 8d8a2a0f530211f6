"""The Auth service's entities and rules, and the repository protocols they are kept through."""
