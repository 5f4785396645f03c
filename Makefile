# Ключ — the two commands of the README, and what they need.
#   make run   — installs what is missing, builds (release) and serves http://127.0.0.1:3000
#   make test  — installs what is missing, runs every test (unit, store on SQLite and PostgreSQL,
#                HTTP, browser)
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
# must equal the wasm-bindgen crate version pinned in Cargo.toml
WASM_BINDGEN_VERSION := 0.2.130
LEPTOSFMT_VERSION := 0.1.33

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# cargo-leptos sets this for its builds; setting it for plain cargo too keeps one build cache
# instead of two that invalidate each other.
export LEPTOS_OUTPUT_NAME := klyuch
# `--cfg erase_components` type-erases Leptos views. cargo-leptos uses it for debug builds; the
# plain cargo test run uses it too so both share one set of compiled dependencies; and the release
# build uses it because it makes the wasm the phones download much smaller, so what is tested is
# also what ships (`make load` prints the bundle's current size).
ERASE_RUSTFLAGS := --cfg erase_components
# A fresh CI clone gains nothing from incremental artefacts (gigabytes); developers keep them.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif

.PHONY: run test setup-build setup-test unit e2e build-debug build-release demo load scale lighthouse bench-billing bench-gate bench-debts clean-data

run: setup-build build-release
	exec target/release/server

test: setup-build setup-test unit build-release e2e

# Format and lints first (cheap, and a failure there says what to fix at once), then every
# Rust test in parallel: the store and HTTP cases are one binary whose test servers share one
# runtime (server/tests/api/common).
unit:
	# leptosfmt formats inside view! macros, rustfmt everything else; the tree passes both
	leptosfmt --check --quiet app/src
	cargo fmt --all --check
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	echo "== stage lint: $$SECONDS s"
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo test --workspace --exclude frontend
	echo "== stage $@: $$SECONDS s"

build-debug:
	cargo leptos build

# `make run` serves the release build, and the browser tests run against it: what is tested is
# what ships.
# `--split` makes each lazy page (app/src/routes.rs) its own wasm chunk; pkg-release.sh moves the
# build's files to pkg/<release>/ so that no tab mixes two releases (see there).
build-release:
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo leptos build --release --precompress --split
	scripts/pkg-release.sh target/site/pkg target/release/hash.txt
	echo "== stage $@: $$SECONDS s"

e2e:
	cd end2end && npx playwright test
	echo "== stage $@: $$SECONDS s"

demo:
	cargo run -p server --bin server -- demo

# The load harness: release server, 10 000 accounts, loopback load of five pages; prints the figures.
load: setup-build build-release
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo run --release -p server --bin load

# Scale-out on PostgreSQL: cost growth at 1 000 / 10 000 / 100 000 accounts on both engines, two
# instances on one database with 100 000 accounts (sessions, exactly-once jobs, one killed with
# kill -9), then a 10-minute soak at half load; prints the figures (about half an hour).
scale: setup-build build-release
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo run --release -p server --bin scale

# Lighthouse (mobile preset) on the resident's start, account and readings pages of the release
# build, signed in as zhitel; prints the scores, LCP, TBT, CLS and bytes of each run.
lighthouse: setup-build setup-test build-release
	cd end2end && node lighthouse.mjs

# The billing benchmark (issue #5): 10 000 accounts × 8 services on SQLite and PostgreSQL —
# the accrual run against a raw insert of as many rows, posting, 10 000 bills; prints the figures.
bench-billing:
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo run --release -p server --bin bench_billing

# The receivables (issue #23): every account's debt by age and service for 10 000 accounts with
# three years of ledger, on SQLite and PostgreSQL; prints the median.
bench-debts:
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo run --release -p server --bin bench_debts

# The gate camera benchmark (issue #22): plate events per second the webhook decides with 10 000
# valid passes in the house, and the latency from event to the barrier's answer; prints them.
bench-gate:
	RUSTFLAGS="$(ERASE_RUSTFLAGS)" cargo run --release -p server --bin bench_gate

clean-data:
	rm -rf data

setup-build:
	@if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
	  rustup target add wasm32-unknown-unknown
	fi
	if [ "$$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $(CARGO_LEPTOS_VERSION)" ]; then
	  # 0.3.11 with --locked needs rustc 1.96
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked
	fi
	if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then
	  # without --locked: its lock file names a crate version the registry lacks
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	fi
	if [ ! -x node_modules/.bin/tailwindcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	  npm ci --no-audit --no-fund
	fi
	echo "== stage $@: $$SECONDS s"

# chromium for the browser tests; poppler-utils (pdftoppm) and zbar-tools (zbarimg) so the
# billing tests rasterise a bill and decode its QR with a real decoder; leptosfmt for the
# format check of the view! macros.
setup-test:
	@if [ "$$(leptosfmt --version 2>/dev/null)" != "leptosfmt $(LEPTOSFMT_VERSION)" ]; then
	  cargo install leptosfmt --version $(LEPTOSFMT_VERSION) --locked
	fi
	if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null || ! command -v zbarimg >/dev/null; then
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils zbar-tools; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils zbar-tools; fi
	fi
	# PostgreSQL for the store and HTTP suites: start the local cluster if it is installed but down
	if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
	  if command -v pg_ctlcluster >/dev/null; then
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true
	  fi
	  for i in $$(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	fi
	echo "== stage $@: $$SECONDS s"
