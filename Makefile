# Parlance — the two commands people need are `make run` and `make test`.
# Every target installs what it is missing first (scripts/setup.sh).

SHELL := /bin/bash
CARGO ?= cargo
APP := target/debug/parlance-app
CLI := target/debug/parlance

.PHONY: run test setup ui app test-rust test-ui test-e2e bench bindings lint clean-bench

## Install what is missing, build, and open the app on the demo warehouse.
run: app
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no display found. Run it in a desktop session, or headless: xvfb-run make run"; exit 1; fi
	./$(APP)

## Every test: Rust (unit + integration), UI (Vitest + type check), end to end (real window).
test: setup ui test-rust test-ui test-e2e

setup:
	@bash scripts/setup.sh

ui: setup
	@[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund)
	npm --prefix ui run build

app: ui
	$(CARGO) build -p parlance-app -p parlance-cli

test-rust: ui
	$(CARGO) test --workspace

test-ui: ui
	npm --prefix ui run check
	npm --prefix ui test

test-e2e: app
	bash tests/e2e/run.sh

## Benchmarks: figures printed beside a baseline measured in the same run (see BENCHMARKS.md).
bench: setup
	$(CARGO) build --release -p parlance-bench
	./target/release/parlance-bench $(BENCH_ARGS)

## Regenerate the UI's TypeScript types from the Rust DTOs.
bindings:
	PARLANCE_UPDATE_BINDINGS=1 $(CARGO) test -p parlance-api --test api bindings
	PARLANCE_UPDATE_BINDINGS=1 $(CARGO) test -p parlance-app app_info_binding

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean-bench:
	rm -rf bench-data
