"""`fleet up`: the whole platform on one machine, on embedded defaults (SQLite, a local broker)."""
