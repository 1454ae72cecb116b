#!/usr/bin/env bash
# The main job on its built-in default. Until the end-to-end flow exists this is
# the TMN-vs-rate-coding measurement (`snnrtl encode`), then the golden-model benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo run --release -q -p snnrtl -- encode "$@"
cargo run --release -q -p snnrtl -- bench golden --seconds 0.5
