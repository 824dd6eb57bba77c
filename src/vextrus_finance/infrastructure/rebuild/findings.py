"""What `verify` reports about data stored before today's rules refused it: one finding type
for every check (ledger, sub-ledger and invoice rules). Findings are for a person to look at —
the events are the books as recorded — so they never fail `verify`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    tenant_id: str
    check: str  # what rule the data breaks, e.g. below_limit, cancelled_draft_aged
    subject: str  # what to look at: an account code, a journal, invoice or payment number
    detail: str
