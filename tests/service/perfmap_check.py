#!/usr/bin/env python3
"""Checks a perf map written by vm --perf-map against the run's --log=in_asm and the guest's
own symbol table (nm -S: a function's name only inside it): one line per JIT block in translation order (the run must not collect
the code cache), each block's name resolving to its guest pc.

usage: perfmap_check.py MAP IN_ASM_LOG NM_OUTPUT BIAS BLOCKS NAMES [REGIONS]
BLOCKS: the JIT block count of the --stats line; NAMES: comma-separated symbols that must
name some block (so a map of bare pcs does not pass). REGIONS: T2's regions of the --stats
line (a run with T2 on): they have lines of their own, named by their head block's pc, but
are compiled on T2's thread and not logged, so the lines are not in the log's order and
each is checked against the pcs logged, in any order. Prints 'ok N named M' or why not;
exits 1."""
import re
import sys

map_path, log_path, nm_path, bias, blocks, required = sys.argv[1:7]
bias, blocks = int(bias, 0), int(blocks)
regions = int(sys.argv[7]) if len(sys.argv) > 7 else 0
syms = {}
for line in open(nm_path):   # nm -S: ADDR [SIZE] TYPE NAME
    f = line.split()
    if len(f) in (3, 4) and f[-2] in 'tTwW':
        size = int(f[1], 16) if len(f) == 4 else None
        syms.setdefault(f[-1], set()).add((int(f[0], 16) + bias, size))
pcs = [int(m, 16) for m in re.findall(r'^IN: pc=(0x[0-9a-f]+)$', open(log_path).read(), re.M)]
entries = []
for n, line in enumerate(open(map_path), 1):
    m = re.fullmatch(r'([0-9a-f]+) ([0-9a-f]+) (.+)\n', line)
    if not m or int(m.group(2), 16) == 0:
        sys.exit(f'line {n}: malformed: {line!r}')
    if m.group(3) != '[vm] trampolines':
        entries.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
if len(entries) != blocks or len(entries) != len(pcs) + regions:
    sys.exit(f'{len(entries)} block lines, {blocks} JIT blocks in --stats, {len(pcs)} translations logged, '
             f'{regions} regions')

spans = sorted((s, s + z) for s, z, _ in entries)
for (a, b), (c, d) in zip(spans, spans[1:]):
    if c < b:
        sys.exit(f'code ranges overlap: {a:x}-{b:x} and {c:x}-{d:x}')

def pcs_named(name):
    """The pcs name (a symbol, symbol+offset or a bare pc) may stand for."""
    if re.fullmatch(r'0x[0-9a-f]+', name):
        return {int(name, 16)}
    m = re.fullmatch(r'(.+?)(?:\+0x([0-9a-f]+))?', name)
    sym, off = m.group(1), int(m.group(2) or '0', 16)
    return {a + off for a, size in syms.get(sym, ()) if size is None or off < size}


named = 0
logged = set(pcs)
for n, (start, size, name) in enumerate(entries):
    bare = re.fullmatch(r'0x[0-9a-f]+', name)
    if regions:   # in any order: some logged block's pc
        if not pcs_named(name) & logged:
            sys.exit(f'{start:x}: named {name}, but no block was logged at a pc it names')
    elif pcs[n] not in pcs_named(name):
        sym = re.sub(r'\+0x[0-9a-f]+$', '', name)
        sys.exit(f'{start:x}: named {name}, its block is at {pcs[n]:#x}' + ('' if bare else
                 f' and nm has {sym} at ' + ', '.join(f'{a:#x} size {z}' for a, z in
                                                     sorted(syms.get(sym, ()), key=str))))
    named += not bare
missing = set(required.split(',')) - {re.sub(r'\+0x[0-9a-f]+$', '', e[2]) for e in entries}
if missing:
    sys.exit('no block named by ' + ', '.join(sorted(missing)))
print(f'ok {len(entries)} named {named}')
