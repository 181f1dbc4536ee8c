#!/usr/bin/env bash
# Bring up what exists of mutt: installs what is missing, builds, and runs `mutt up` (private
# Redis and PostgreSQL, schema migrated) until Ctrl-C. Extra arguments go to `mutt up`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked
exec target/release/mutt up "$@"
