"""Benchmarks of the platform; each prints its figures as JSON."""
