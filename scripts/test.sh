#!/usr/bin/env bash
# The test command: installs missing tools, then runs every test in the workspace.
# The shared reference vectors are read from ../shared/vectors (or $SNNRTL_VECTORS).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo test --workspace --release "$@"
