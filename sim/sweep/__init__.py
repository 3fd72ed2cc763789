"""Experiments over many runs: comparisons between arms (more to come: designs, executors)."""
