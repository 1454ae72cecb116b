#!/usr/bin/env bash
# The main job on its built-in default: `snnrtl flow` on the digits example
# (examples/digits/flow.json). It converts the trained 64-32-10 MLP to TMN and
# IF spiking networks, measures their accuracy at T = 1..32, generates the
# TMN network's Verilog both ways (the unrolled snn_network and the folded
# engine at P = 2, 4, 8, 16), co-simulates the folded engines on all 540 test
# images with Verilator against the golden model, synthesizes every design
# for xilinx-7 and ice40-up5k (nextpnr for iCE40), chooses per target the
# fastest design that fits, co-simulates it on 200 images with stalls, and
# writes out/report.md, out/report.json and out/accuracy.svg. Extra arguments
# go to `snnrtl flow` (e.g. another FLOW.json, or --no-synth).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo build --release -q -p snnrtl
target/release/snnrtl flow "$@"
