#!/usr/bin/env bash
# The main job on its built-in default: `snnrtl flow` on the digits example
# (examples/digits/flow.json). It converts the trained 64-32-10 MLP to TMN and
# IF spiking networks, measures their accuracy at T = 1..32, generates the
# TMN network's Verilog, co-simulates 200 test images with Verilator against
# the golden model, synthesizes it for xilinx-7 and ice40-up5k, and writes
# out/report.md, out/report.json and out/accuracy.svg. Extra arguments go to
# `snnrtl flow` (e.g. another FLOW.json, or --no-synth).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo build --release -q -p snnrtl
target/release/snnrtl flow "$@"
