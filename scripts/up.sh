#!/usr/bin/env bash
# Run the whole pipeline on this machine: installs what is missing, builds, and runs `mutt up`
# (private Redis and PostgreSQL, example rules, ingest, the syslog receiver, alerter, forwarder,
# remediation, web UI and a mock Moog sink) until Ctrl-C. Extra arguments go to `mutt up`, e.g. --data-dir ./mutt-data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked
exec target/release/mutt up "$@"
