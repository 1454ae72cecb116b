#!/usr/bin/env bash
# Installs the hardware tools snnrtl drives, from Debian's packages, and only
# those that are missing: running it twice installs nothing the second time.
#   verilator (co-simulation), yosys (synthesis), iverilog (second simulator),
#   nextpnr-ice40 + fpga-icestorm (place and route, Fmax on iCE40);
#   fusesoc, from PyPI (checks the FuseSoC core file `snnrtl generate` writes).
set -euo pipefail

# fusesoc: a Python package; installed with pip when python3 has pip.
if ! command -v fusesoc >/dev/null 2>&1; then
    if python3 -m pip --version >/dev/null 2>&1; then
        echo "install-tools: installing fusesoc (PyPI)"
        python3 -m pip install -q --disable-pip-version-check fusesoc
        hash -r
    else
        echo "install-tools: fusesoc is missing and python3 has no pip; install it yourself: pip install fusesoc" >&2
    fi
fi

pkgs=(verilator yosys iverilog nextpnr-ice40 fpga-icestorm)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-tools: this is not a Debian-based system; install these yourself: ${pkgs[*]}" >&2
    exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-tools: all present (${pkgs[*]})"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo)
    else
        echo "install-tools: missing ${missing[*]}, and installing needs root." >&2
        echo "install-tools: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-tools: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
