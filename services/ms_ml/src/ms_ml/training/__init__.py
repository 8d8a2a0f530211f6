"""Training jobs: queued, then run by the supervisor as a process of their own (with CPU,
memory and wall-clock limits) that runs a recipe of ms_ml.recipes, then succeeded (a model
version registered with its held-out metrics), failed or cancelled. What a job reports, log
lines and metric points, is kept in order and streamed live.
"""
