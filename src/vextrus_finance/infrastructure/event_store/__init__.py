"""The append-only event log and the snapshots that shorten loading a stream."""
