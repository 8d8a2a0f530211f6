"""The processes and the ledger of the events-under-faults test (tests/test_events_faults.py)."""
