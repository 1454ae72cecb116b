#!/usr/bin/env bash
# The test command: installs missing tools, then runs every test in the workspace.
# The reference vectors are read from testdata/vectors (or $SNNRTL_VECTORS).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo test --workspace --release "$@"
