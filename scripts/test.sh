#!/usr/bin/env bash
# The whole test suite: installs what is missing, then runs every unit and integration test.
# Tests start their own redis-server and PostgreSQL on free ports in temporary directories.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --all-targets --locked "$@"
