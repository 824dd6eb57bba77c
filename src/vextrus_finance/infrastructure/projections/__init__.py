"""Projections: the read-model rows each event produces, applied inline at posting
and in bulk on a rebuild."""
