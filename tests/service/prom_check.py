#!/usr/bin/env python3
"""A strict checker of Prometheus' text exposition format (version 0.0.4), and of the values
vm's tests expect in it.

usage: prom_check.py FILE [EXPECT...]
Each EXPECT is 'NAME{LABELS} OP VALUE' (OP one of == >= <= >), or 'NAME{LABELS} == @OTHER'
comparing two samples; LABELS as in the exposition ('' for none). Prints 'ok N samples' or
the first problem, and exits 1 on a problem."""
import math
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)'
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf'({NAME})(?:\{{((?:{LABEL}={LABEL_VALUE})(?:,{LABEL}={LABEL_VALUE})*,?)?\}})? '
                    rf'({VALUE})(?: (-?[0-9]+))?')
TYPES = {'counter', 'gauge', 'untyped', 'summary', 'histogram'}


def fail(n, why, line=''):
    sys.exit(f'line {n}: {why}: {line!r}' if n else why)


def parse(text):
    if text and not text.endswith('\n'):
        fail(0, 'the exposition does not end with a newline')
    types, helps, samples, done = {}, {}, {}, set()
    current = None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line.strip() == '':
            continue
        if line.startswith('#'):
            m = re.fullmatch(rf'# (HELP|TYPE) ({NAME}) ?(.*)', line)
            if not m:
                if re.match(r'# ?(HELP|TYPE)\b', line):
                    fail(n, 'malformed HELP or TYPE', line)
                continue   # a comment
            kind, name, rest = m.groups()
            table = helps if kind == 'HELP' else types
            if name in table:
                fail(n, f'a second {kind} for {name}', line)
            if kind == 'TYPE':
                if rest not in TYPES:
                    fail(n, 'unknown type', line)
                if name in samples:
                    fail(n, f'TYPE after samples of {name}', line)
            elif re.search(r'\\[^\\n]|\\$', rest):
                fail(n, 'bad escape in HELP', line)
            table[name] = rest
            continue
        m = SAMPLE.fullmatch(line)
        if not m:
            fail(n, 'malformed sample', line)
        name, labels, value = m.group(1), m.group(2) or '', float(m.group(3))
        family = name
        for suffix in ('_sum', '_count', '_bucket'):
            if name.endswith(suffix) and types.get(name[:-len(suffix)]) in ('summary', 'histogram'):
                family = name[:-len(suffix)]
        if family != current:
            if family in done:
                fail(n, f'samples of {family} are not together', line)
            if current:
                done.add(current)
            current = family
        keys = [l.split('=', 1)[0] for l in re.findall(rf'{LABEL}={LABEL_VALUE}', labels)]
        if len(keys) != len(set(keys)):
            fail(n, 'a label twice', line)
        key = (name, labels.rstrip(','))
        if key in samples:
            fail(n, 'a sample twice', line)
        if types.get(family) == 'counter' and (value < 0 or math.isnan(value)):
            fail(n, 'a counter below zero', line)
        samples[key] = value
    return samples


def lookup(samples, spec):
    m = re.fullmatch(rf'({NAME})(?:\{{(.*)\}})?', spec)
    key = (m.group(1), m.group(2) or '')
    if key not in samples:
        sys.exit(f'no sample {spec}')
    return samples[key]


def main():
    samples = parse(open(sys.argv[1]).read())
    for expect in sys.argv[2:]:
        spec, op, want = expect.rsplit(' ', 2)
        got = lookup(samples, spec)
        want = lookup(samples, want[1:]) if want.startswith('@') else float(want)
        ok = {'==': got == want, '>=': got >= want, '<=': got <= want, '>': got > want}[op]
        if not ok:
            sys.exit(f'{spec} is {got:g}, expected {op} {want:g}')
    print(f'ok {len(samples)} samples')


main()
