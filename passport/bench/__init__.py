"""Benchmark data: ``flask --app wsgi bench seed --passports N`` (see docs/BENCHMARKS.md)."""
