#!/usr/bin/env bash
# The AArch64 guest programs: tests/guest/run.sh with GUEST_ISA=aarch64 (same options).
GUEST_ISA=aarch64 exec bash "$(dirname "${BASH_SOURCE[0]}")/../guest/run.sh" "$@"
