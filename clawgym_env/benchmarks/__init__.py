"""Benchmarks. For now: sandbox performance (``python -m clawgym_env.benchmarks.sandbox``)."""
