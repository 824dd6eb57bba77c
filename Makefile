# The two set-up commands of the README:
#   make run    start the service on SQLite with demo data and a printed development token
#   make test   run the whole test suite (lint, types, import contracts, unit, integration on
#               SQLite and PostgreSQL, API, system)
UV := python3 -m uv
UV_VERSION := 0.13.9

.PHONY: run test deps lint typecheck importlint bench bench-quick bench-tools

deps:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --quiet

run: deps
	$(UV) run --frozen vextrus-finance serve --demo

lint: deps
	$(UV) run --frozen ruff check src tests benchmarks
	$(UV) run --frozen ruff format --check src tests benchmarks

typecheck: deps
	$(UV) run --frozen mypy

# The layering contracts of pyproject.toml ([tool.importlinter]).
importlint: deps
	$(UV) run --frozen lint-imports

test: deps lint typecheck importlint
	scripts/ensure-system-packages
	$(UV) run --frozen pytest

# The performance harness (not part of `make test`): writes benchmarks/results/latest.{json,md}.
bench: deps bench-tools
	$(UV) run --frozen python -m benchmarks

bench-quick: deps bench-tools
	$(UV) run --frozen python -m benchmarks --quick

# PostgreSQL for the throwaway cluster, wrk for the HTTP load.
bench-tools:
	scripts/ensure-system-packages
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
