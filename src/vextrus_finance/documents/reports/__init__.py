"""Report exports: any accountant-facing report as CSV, XLSX or PDF (ADR 0049).

A report's JSON document is turned into a `PrintableReport` (model.py: title, header block,
typed columns, detail/heading/subtotal/total rows) by a small adapter (tables.py); the
renderers (csv.py, xlsx.py, pdf.py) know nothing of any particular report."""
