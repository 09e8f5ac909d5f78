# The two commands of README.md: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test deps test-deps build lint bench

## Installs what is missing, builds, and starts the built-in mock server with an interactive session.
run: deps
	$(CARGO) build --release -p sockpit-cli
	./scripts/demo.sh

## Runs every test: unit, integration against real peers, conformance.
test: deps test-deps
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace --no-fail-fast

## System packages (Debian/Ubuntu), installed only when missing.
deps:
	./scripts/system-deps.sh

## Python and Node peers for the integration tests.
test-deps:
	./scripts/test-deps.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: deps test-deps
	./tests/bench/ws_flood.sh
