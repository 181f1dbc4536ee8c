#!/usr/bin/env bash
# Regenerate completions/ and man/ from the clap tree, README's settings reference and
# docs/OPERATIONS.md's dynamic-key table from their registries (tests fail while they are stale).
set -euo pipefail
cd "$(dirname "$0")/.."
MUTT_BLESS=1 cargo test --test cli generated_
git status --short completions man README.md docs/OPERATIONS.md
