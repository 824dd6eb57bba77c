"""One module per scenario (numbered as in docs/performance.md); each returns `Result`s for one
backend."""
