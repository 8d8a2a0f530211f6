"""Use cases: validation, transactions, calls into the domain and the repositories."""
