"""Real infrastructure on loopback for tests: a throwaway PostgreSQL cluster and Kafka broker."""
