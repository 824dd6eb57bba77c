"""How big each scenario is: the sizes its target is set for, `--quick` (under two minutes) and
`tiny` (the end-to-end test of the harness)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date


@dataclass(frozen=True)
class Sizes:
    post_accounts: int = 200
    post_journals: int = 5000
    http_journals: int = 10_000
    http_clients: int = 8
    batch_journals: int = 10_000
    batch_size: int = 100
    tb_accounts: int = 10_000
    tb_journals: int = 200_000
    tb_requests: int = 40
    tb_xlsx_requests: int = 10
    aggregate_events: int = 10_000
    aggregate_loads: int = 20
    rebuild_events: int = 1_000_000
    today: date = field(default_factory=date.today)


FULL = Sizes()
QUICK = replace(
    FULL,
    post_journals=150,
    http_journals=250,
    batch_journals=400,
    tb_accounts=1000,
    tb_journals=5000,
    tb_requests=10,
    tb_xlsx_requests=3,
    aggregate_events=2000,
    aggregate_loads=10,
    rebuild_events=20_000,
)
TINY = replace(
    FULL,
    post_accounts=30,
    post_journals=20,
    http_journals=40,
    http_clients=2,
    batch_journals=200,
    tb_accounts=50,
    tb_journals=200,
    tb_requests=3,
    tb_xlsx_requests=1,
    aggregate_events=120,
    aggregate_loads=3,
    rebuild_events=1000,
)
