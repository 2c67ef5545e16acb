#!/usr/bin/env bash
# Run the browser tests and take each screenshot they make as the new approved picture in
# docs/screenshots/ (only those that changed are rewritten). Look at them before committing:
#   git status docs/screenshots && git diff --stat docs/screenshots
# Extra arguments go to pytest, e.g. -k tv.
set -euo pipefail
cd "$(dirname "$0")/.."
MULING_APPROVE_SCREENSHOTS=1 exec scripts/test.sh tests/browser "$@"
