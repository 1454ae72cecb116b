#!/usr/bin/env bash
# The main job on its built-in default. Until the end-to-end flow exists this
# measures TMN against rate coding (`snnrtl encode`), then generates the core
# for examples/tmn_16x8.case.json, co-simulates it with Verilator against the
# golden model (its samples, then 500 random ones with back-pressure), and
# times the golden model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo build --release -q -p snnrtl
bin=target/release/snnrtl
"$bin" encode "$@"
"$bin" generate examples/tmn_16x8.case.json -o out/rtl
"$bin" cosim examples/tmn_16x8.case.json --rtl out/rtl
"$bin" cosim examples/tmn_16x8.case.json --samples 500 --stall --illegal-percent 2
"$bin" bench golden --seconds 0.5
