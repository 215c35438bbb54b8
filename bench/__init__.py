"""Benchmarks: scripts that print figures (never timed tests). Run each as `python -m bench.<name>`."""
