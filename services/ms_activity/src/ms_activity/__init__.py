"""ms_activity: User behaviour and system events as timelines and aggregates."""
