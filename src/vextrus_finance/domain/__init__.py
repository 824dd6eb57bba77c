"""Pure accounting rules: no I/O, no framework; deterministic and unit-testable."""
