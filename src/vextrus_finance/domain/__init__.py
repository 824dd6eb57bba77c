"""Pure accounting rules: no I/O, no framework. Everything here is deterministic and unit-testable."""
