#!/usr/bin/env python3
"""Summary table for bench/run.sh: reads one file of times per runner
(seconds, one per line) and prints median/min/max and the ratios
of the medians: each vm runner against the qemu-user of its guest ISA and against native
(each vm runner is named by its engine, vm-interp and vm-jit, and base-* are another vm
build in the same run; the -a64 runners run the aarch64 build, the -x64 ones the x86-64 build,
the others the riscv64 build).

Usage: report.py DIR RUNNER...   (reads DIR/RUNNER.times)
"""
import os
import statistics
import sys


def main():
    d, runners = sys.argv[1], sys.argv[2:]
    med = {}
    print(f"{'runner':<16} {'runs':>4} {'median_s':>10} {'min_s':>10} {'max_s':>10}")
    for r in runners:
        path = os.path.join(d, r + '.times')
        try:
            with open(path) as fh:
                ts = [float(x) for x in fh.read().split()]
        except OSError:
            ts = []
        if not ts:
            print(f'{r:<16} {0:>4} {"n/a":>10} {"n/a":>10} {"n/a":>10}')
            continue
        med[r] = statistics.median(ts)
        print(f'{r:<16} {len(ts):>4} {med[r]:>10.3f} {min(ts):>10.3f} {max(ts):>10.3f}')
    pairs = []
    for isa in ('', '-a64', '-x64'):
        for e in ('interp', 'jit'):
            vm = f'vm-{e}{isa}'
            pairs += [(vm, 'qemu' + isa), (vm, 'native'), (vm, f'base-{e}{isa}')]
        pairs += [(f'vm-jit{isa}', f'vm-interp{isa}'), ('qemu' + isa, 'native')]
    for a, b in pairs:
        if a in runners and b in runners:
            if a in med and b in med and med[b] > 0:
                print(f'{a + "/" + b:<31} {med[a] / med[b]:8.2f}x')
            else:
                print(f'{a + "/" + b:<31} {"n/a":>8}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
