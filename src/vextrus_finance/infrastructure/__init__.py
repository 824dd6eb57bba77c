"""Adapters: the event store and read models on SQLAlchemy (SQLite and PostgreSQL), settings."""
