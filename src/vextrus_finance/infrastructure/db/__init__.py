"""The database: engines and sessions, the driver adapter, schema, errors and probes."""
