#!/usr/bin/env bash
# The Ctrl-C soak of issue 25: SIGINTs at random moments of a real MLP training and a real burgess
# training through the release binary, each stop exiting 130 and resumed, each training ending
# with weights bit-identical to an uninterrupted run (Tests/CLITests/InterruptTests.swift).
#   scripts/sigint-soak.sh            # 20 interrupts per training
#   SOAK=5 scripts/sigint-soak.sh     # fewer
# Builds the release binary first (slow the first time); `make test` runs the same tests with a
# few interrupts through the debug binary.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product betavae
BETAVAE_BINARY="$PWD/.build/release/betavae" BETAVAE_SIGINT_SOAK="${SOAK:-20}" \
    swift test --filter InterruptTests
