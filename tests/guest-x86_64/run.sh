#!/usr/bin/env bash
# The x86-64 guest programs: tests/guest/run.sh with GUEST_ISA=x86_64 (same options): built
# with the host's gcc, run under vm and natively (the host is the oracle), dynamic ones with
# the host as the sysroot (-L /).
GUEST_ISA=x86_64 exec bash "$(dirname "${BASH_SOURCE[0]}")/../guest/run.sh" "$@"
