"""Benchmarks: each bench_*.py has a main() printing throughput and a ratio against a peer."""
