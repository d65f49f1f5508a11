#!/usr/bin/env bash
# Expectations for new AArch64 guest tests: tests/guest/bless.sh with GUEST_ISA=aarch64.
GUEST_ISA=aarch64 exec bash "$(dirname "${BASH_SOURCE[0]}")/../guest/bless.sh" "$@"
