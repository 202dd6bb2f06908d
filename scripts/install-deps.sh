#!/usr/bin/env bash
# Installs the Debian packages virtio-ep needs, when they are missing. Idempotent: with every
# package present it changes nothing and needs no network.
#
#   scripts/install-deps.sh              what `make build` and `make test` need
#   scripts/install-deps.sh GROUP...     plus a group: coverage, fuzz, waves
set -euo pipefail

# verilator/yosys: RTL simulation and synthesis; g++/make: build; zlib1g-dev: Verilator's FST
# waveform writer links against zlib; valgrind: the C model's memory check in the regression;
# clang and its runtime: the libFuzzer harness (CI runs a one-minute fuzz); gtkwave: fst2vcd, with
# which the regression checks the waves/*.gtkw save files and the mismatch waveform.
packages=(verilator yosys g++ gcc make zlib1g-dev valgrind clang libclang-rt-14-dev gtkwave)
for group in "$@"; do
  case $group in
    coverage) packages+=(lcov) ;;                      # lcov/genhtml: the HTML coverage report
    fuzz) ;;                                           # already in the base set (CI fuzzes)
    waves) packages+=(xvfb xauth x11-apps imagemagick) ;;  # headless rendering of the picture
    *) echo "install-deps: unknown group '$group' (coverage, fuzz, waves)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present (${packages[*]})"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
  command -v sudo >/dev/null || {
    echo "install-deps: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  }
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
