"""One module per scenario of issue 7; each returns `Result`s for one backend."""
