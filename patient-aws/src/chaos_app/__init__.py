"""chaos-app: a workload that fails on purpose, logging the way real software does."""
