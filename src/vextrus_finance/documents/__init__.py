"""Printed documents: Mushak-6.3 tax invoices as HTML and PDF, Bengali digits and words."""
