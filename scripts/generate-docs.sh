#!/usr/bin/env bash
# Regenerate completions/ and man/ from the clap tree (a test fails while they are stale).
set -euo pipefail
cd "$(dirname "$0")/.."
MUTT_BLESS=1 cargo test --test cli generated_completions_and_man_pages_are_current
git status --short completions man
