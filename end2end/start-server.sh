#!/usr/bin/env bash
# The server the browser tests drive: the release build that `make run` serves (from
# `cargo leptos build --release`), on a fresh SQLite database with the demo house.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .data
mkdir -p .data
export KLYUCH_ADDR="127.0.0.1:${E2E_PORT:-3100}"
export DATABASE_URL="sqlite:.data/e2e.db"
export KLYUCH_FILES_DIR=".data/files"
export KLYUCH_DOCUMENTS_DIR=".data/documents"
export KLYUCH_WORKER_POLL_MS=200
export LEPTOS_SITE_ROOT="../target/site"
export RUST_LOG="${RUST_LOG:-warn}"
exec ../target/release/server
