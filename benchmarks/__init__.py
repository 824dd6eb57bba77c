"""The performance harness: `python -m benchmarks` (or `make bench`). See docs/performance.md."""
