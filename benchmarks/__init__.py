"""Benchmarks: ratios measured in one process, with the commands that reproduce them."""
