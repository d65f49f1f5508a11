#!/usr/bin/env python3
"""Summary tables for bench/run.sh: reads one file of times per runner (seconds, one per line).

Per workload (report.py DIR RUNNER..., reading DIR/RUNNER.times): median/min/max per runner,
then per guest ISA the speed of each runner as a fraction of native (native's median / the
runner's) and as a multiple of qemu-user's (qemu's median / the runner's), and the ratios of
the medians of vm against another vm build (base-*) and of T2 against T1.
With --summary (report.py --summary DIR... -- RUNNER...): one Markdown table of every
workload (a DIR each, named by it) and guest.

Runners: native; per guest ISA qemu, vm-interp, vm-t1 (T1 only), vm-t2 (T1 and T2), vm-jit
(vm's default tiers), and base-interp/base-jit (VM_BASE), with the suffix -a64 for the aarch64
build, -x64 for the x86-64 one and none for riscv64.
"""
import os
import statistics
import sys

GUESTS = (('riscv64', ''), ('aarch64', '-a64'), ('x86_64', '-x64'))
COLUMNS = (('qemu', 'qemu'), ('interp', 'vm-interp'), ('T1', 'vm-t1'), ('T2', 'vm-t2'),
           ('jit', 'vm-jit'))


def times(d, runner):
    try:
        with open(os.path.join(d, runner + '.times')) as fh:
            return [float(x) for x in fh.read().split()]
    except OSError:
        return []


def medians(d, runners):
    return {r: statistics.median(ts) for r in runners if (ts := times(d, r))}


def fmt(x, spec):
    return 'n/a' if x is None else format(x, spec)


def ratio(a, b):
    return a / b if a is not None and b else None


def guest_rows(med, runners):
    """(guest, native, {column: median}) for each guest with a runner in runners."""
    rows = []
    for guest, sfx in GUESTS:
        cols = [(c, r + sfx if r != 'qemu' else 'qemu' + sfx) for c, r in COLUMNS]
        cols = [(c, r) for c, r in cols if r in runners]
        if cols:
            rows.append((guest, med.get('native'), {c: med.get(r) for c, r in cols}))
    return rows


def per_workload(d, runners):
    med = medians(d, runners)
    print(f"{'runner':<16} {'runs':>4} {'median_s':>10} {'min_s':>10} {'max_s':>10}")
    for r in runners:
        ts = times(d, r)
        if not ts:
            print(f'{r:<16} {0:>4} {"n/a":>10} {"n/a":>10} {"n/a":>10}')
            continue
        print(f'{r:<16} {len(ts):>4} {med[r]:>10.3f} {min(ts):>10.3f} {max(ts):>10.3f}')
    for guest, native, cols in guest_rows(med, runners):
        names = [c for c in cols]
        print(f'{guest}: of native ' +
              ' '.join(f'{c}={fmt(ratio(native, cols[c]), ".2f")}' for c in names) +
              '; x qemu ' +
              ' '.join(f'{c}={fmt(ratio(cols.get("qemu"), cols[c]), ".2f")}'
                       for c in names if c != 'qemu'))
    pairs = []
    for _, sfx in GUESTS:
        pairs += [(f'vm-{e}{sfx}', f'base-{e}{sfx}') for e in ('interp', 'jit')]
        pairs += [(f'vm-t1{sfx}', f'base-jit{sfx}'), (f'vm-t2{sfx}', f'base-jit{sfx}'),
                  (f'vm-t2{sfx}', f'vm-t1{sfx}')]
    for a, b in pairs:
        if a in runners and b in runners:
            print(f'{a + "/" + b:<31} {fmt(ratio(med.get(a), med.get(b)), "8.2f")}x')


def summary(dirs, runners):
    print('| workload | guest | native s | qemu s | interp s | T1 s | T2 s '
          '| qemu | interp | T1 | T2 | interp | T1 | T2 |')
    print('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
    for d in dirs:
        med = medians(d, runners)
        for guest, native, cols in guest_rows(med, runners):
            q = cols.get('qemu')
            secs = [native] + [cols.get(c) for c in ('qemu', 'interp', 'T1', 'T2')]
            of_native = [ratio(native, cols.get(c)) for c in ('qemu', 'interp', 'T1', 'T2')]
            x_qemu = [ratio(q, cols.get(c)) for c in ('interp', 'T1', 'T2')]
            print(f'| {os.path.basename(d.rstrip("/"))} | {guest} | ' +
                  ' | '.join(fmt(x, '.2f') for x in secs) + ' | ' +
                  ' | '.join(fmt(x, '.3f') for x in of_native) + ' | ' +
                  ' | '.join(fmt(x, '.2f') for x in x_qemu) + ' |')
    print('(seconds: medians; then speed as a fraction of native: qemu, interp, T1, T2; '
          'then as a multiple of qemu-user: interp, T1, T2)')


def main():
    args = sys.argv[1:]
    if args and args[0] == '--summary':
        if '--' not in args:
            print(__doc__, file=sys.stderr)
            return 2
        i = args.index('--')
        summary(args[1:i], args[i + 1:])
        return 0
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    per_workload(args[0], args[1:])
    return 0


if __name__ == '__main__':
    sys.exit(main())
