# The two commands of README.md: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run run-cli test deps test-deps build lint bench bench-window ui-deps app-build app-test e2e bindings fuzz fuzz-ci

## Installs what is missing, builds the window (frontend embedded) and opens it.
run: deps app-build
	$(APP_TARGET)/debug/sockpit-app

## The CLI demo: the built-in mock server with an interactive session.
run-cli: deps
	$(CARGO) build --release -p sockpit-cli
	./scripts/demo.sh

## Runs every test: formatting and clippy first, then unit, integration against real peers
## (the repository rules of tests/tests/tidy.rs among them), conformance, the fuzz targets on their
## seeds, the window's vitest and e2e.
test: deps test-deps ui-deps lint
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace --no-fail-fast
	$(MAKE) fuzz-ci
	npm --prefix ui test
	SKIP_APP_BUILD=1 ./tests/e2e/run.sh

## Every fuzz target (fuzz/, cargo-fuzz on nightly) for FUZZ_SECONDS each (default 60), growing a
## scratch corpus under /tmp/sockpit-fuzz; any crash fails, its input kept there.
fuzz:
	./scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

## The CI fuzz step: every target for 20 s from the checked-in seeds alone.
fuzz-ci:
	FUZZ_FRESH=1 ./scripts/fuzz.sh 20

## System packages (Debian/Ubuntu), installed only when missing.
deps:
	./scripts/system-deps.sh

## Python and Node peers for the integration tests.
test-deps:
	./scripts/test-deps.sh

## Formatting and clippy over the whole workspace, the window included (its build embeds ui/dist).
lint: deps ui-deps
	$(CARGO) fmt --all -- --check
	npm --prefix ui run -s build
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: deps test-deps
	./tests/bench/ws_flood.sh
	./tests/bench/history_bench.sh
	./tests/bench/sse_bench.sh
	./tests/bench/socketio_bench.sh
	./tests/bench/graphql_bench.sh
	./tests/bench/mqtt_bench.sh
	./tests/bench/script_bench.sh

## The window benchmarks against a hello-world Tauri floor (release builds, Xvfb).
bench-window: deps ui-deps
	./tests/bench/window_bench.sh

# ---- The window (src-tauri + ui). src-tauri is not a default member: plain cargo never needs webkit.
APP_TARGET = $(or $(CARGO_TARGET_DIR),target)
APP_FEATURES = -p sockpit-app

## Node modules of the UI, installed from the lock file when missing or stale.
ui-deps:
	@if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then \
	  npm --prefix ui ci --no-audit --no-fund; fi

## The window binary with the built UI embedded (custom-protocol), debug profile.
app-build: ui-deps
	npm --prefix ui run -s build
	$(CARGO) build $(APP_FEATURES)

## The window's unit tests: Rust (incl. the TypeScript bindings drift check) and vitest.
app-test: ui-deps
	npm --prefix ui run -s build
	$(CARGO) test $(APP_FEATURES)
	npm --prefix ui test

## Regenerates ui/src/ipc/bindings from the Rust DTOs.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test $(APP_FEATURES) --lib bindings

## Window e2e under Xvfb (tauri-driver + WebKitWebDriver); screenshots in tests/output/e2e/.
e2e: deps
	./tests/e2e/run.sh
