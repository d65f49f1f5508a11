#!/usr/bin/env python3
"""Independent reference for the FP expected files (fp_arith, fp_cvt, fp_misc, fp_static_rm).

Recomputes every line of the form
    OP RM OPERAND... -> RESULT FLAGS
with exact rational arithmetic (fractions) and the RISC-V rules (canonical
NaN, tininess after rounding, saturating conversions), and reports lines
that disagree. It was used once to validate the qemu-generated .expected
files; it is not part of the test run.  Usage: fpcheck.py FILE.expected...
"""
import sys
from fractions import Fraction
from math import isqrt

FMT = {'d': (11, 52), 's': (8, 23)}
NV, DZ, OF, UF, NX = 16, 8, 4, 2, 1
RMS = {'rne': 0, 'rtz': 1, 'rdn': 2, 'rup': 3, 'rmm': 4}


class F:
    """A decoded float: kind in {'num','inf','qnan','snan'}, sign, value (Fraction)."""
    def __init__(self, kind, sign, val=Fraction(0)):
        self.kind, self.sign, self.val = kind, sign, val

    @property
    def nan(self):
        return self.kind in ('qnan', 'snan')

    def __repr__(self):
        return f'F({self.kind},{self.sign},{self.val})'


def unbox(bits, fmt, reg64):
    """A single held in a 64-bit register image must be NaN-boxed, else it reads as canonical NaN."""
    if fmt == 's' and reg64:
        return bits & 0xffffffff if bits >> 32 == 0xffffffff else 0x7fc00000
    return bits


def decode(bits, fmt, reg64=False):
    e, m = FMT[fmt]
    width = 1 + e + m
    bits = unbox(bits, fmt, reg64)
    sign = bits >> (width - 1) & 1
    exp = bits >> m & ((1 << e) - 1)
    man = bits & ((1 << m) - 1)
    bias = (1 << (e - 1)) - 1
    if exp == (1 << e) - 1:
        if man == 0:
            return F('inf', sign)
        return F('qnan' if man >> (m - 1) else 'snan', sign)
    if exp == 0:
        v = Fraction(man, 1 << (m + bias - 1))
    else:
        v = Fraction((1 << m) | man) * Fraction(2) ** (exp - bias - m)
    return F('num', sign, -v if sign else v)


def canon(fmt):
    return 0x7ff8000000000000 if fmt == 'd' else 0x7fc00000


def encode_parts(fmt, sign, exp_field, man):
    e, m = FMT[fmt]
    return sign << (e + m) | exp_field << m | man


def round_frac(v, fmt, rm, sticky=False):
    """Round nonzero Fraction v (|v| may be offset by a sticky half-unit) -> (bits, flags)."""
    e, m = FMT[fmt]
    p = m + 1
    bias = (1 << (e - 1)) - 1
    emin, emax = 1 - bias, bias
    sign = 1 if v < 0 else 0
    a = -v if sign else v
    # exponent of a: 2^ex <= a < 2^(ex+1)
    ex = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** ex > a:
        ex -= 1
    while Fraction(2) ** (ex + 1) <= a:
        ex += 1

    def rnd(q):  # q: positive Fraction of quanta -> integer
        n = q.numerator // q.denominator
        rest = q - n
        if rest == 0:
            return n
        if rm == 1:
            return n
        if rm == 2:
            return n + 1 if sign else n
        if rm == 3:
            return n if sign else n + 1
        if rest > Fraction(1, 2):
            return n + 1
        if rest < Fraction(1, 2):
            return n
        if rm == 4:
            return n + 1
        return n + (n & 1)

    flags = 0
    # tininess after rounding: round with unbounded exponent
    qu = Fraction(2) ** (ex - p + 1)
    nu = rnd(a / qu)
    tiny = nu * qu < Fraction(2) ** emin
    qexp = max(ex, emin) - p + 1
    quant = Fraction(2) ** qexp
    n = rnd(a / quant)
    inexact = sticky or n * quant != a
    if inexact:
        flags |= NX
        if tiny:
            flags |= UF
    r = n * quant
    if r >= Fraction(2) ** (emax + 1):
        flags |= OF | NX
        to_inf = rm in (0, 4) or (rm == 3 and not sign) or (rm == 2 and sign)
        if to_inf:
            return encode_parts(fmt, sign, (1 << e) - 1, 0), flags
        return encode_parts(fmt, sign, (1 << e) - 2, (1 << m) - 1), flags
    if r == 0:
        return encode_parts(fmt, sign, 0, 0), flags
    # encode r
    rex = r.numerator.bit_length() - r.denominator.bit_length()
    if Fraction(2) ** rex > r:
        rex -= 1
    if rex < emin:
        man = r / Fraction(2) ** (emin - m)
        assert man.denominator == 1
        return encode_parts(fmt, sign, 0, int(man)), flags
    man = r / Fraction(2) ** (rex - m)
    assert man.denominator == 1
    return encode_parts(fmt, sign, rex + bias, int(man) - (1 << m)), flags


def zero(fmt, sign):
    e, m = FMT[fmt]
    return sign << (e + m)


def inf(fmt, sign):
    e, m = FMT[fmt]
    return encode_parts(fmt, sign, (1 << e) - 1, 0)


def finish_sum(x_sign, x_val, y_sign, y_val, fmt, rm):
    """x + y where both are finite (value, sign of zero)."""
    s = x_val + y_val
    if s == 0:
        if x_val == 0 and y_val == 0 and x_sign == y_sign:
            return zero(fmt, x_sign), 0
        return zero(fmt, 1 if rm == 2 else 0), 0
    return round_frac(s, fmt, rm)


def arith(op, fmt, rm, ops, reg64=False):
    xs = [decode(b, fmt, reg64) for b in ops]
    flags = NV if any(x.kind == 'snan' for x in xs) else 0
    if op in ('fmadd', 'fmsub', 'fnmadd', 'fnmsub'):
        a, b, c = xs
        if (a.kind == 'inf' and b.kind == 'num' and b.val == 0) or \
           (b.kind == 'inf' and a.kind == 'num' and a.val == 0):
            return canon(fmt), NV
        if any(x.nan for x in xs):
            return canon(fmt), flags
        psign = a.sign ^ b.sign ^ (1 if op in ('fnmadd', 'fnmsub') else 0)
        csign = c.sign ^ (1 if op in ('fmsub', 'fnmadd') else 0)
        pinf = a.kind == 'inf' or b.kind == 'inf'
        if pinf or c.kind == 'inf':
            if pinf and c.kind == 'inf' and psign != csign:
                return canon(fmt), NV
            return inf(fmt, psign if pinf else csign), 0
        pv = a.val * b.val * (-1 if op in ('fnmadd', 'fnmsub') else 1)
        cv = c.val * (-1 if op in ('fmsub', 'fnmadd') else 1)
        return finish_sum(psign, pv, csign, cv, fmt, rm)
    if op == 'fsqrt':
        (a,) = xs
        if a.nan:
            return canon(fmt), flags
        if a.kind == 'inf':
            return (canon(fmt), NV) if a.sign else (inf(fmt, 0), 0)
        if a.val == 0:
            return zero(fmt, a.sign), 0
        if a.val < 0:
            return canon(fmt), NV
        K = 1200
        scaled = a.val * Fraction(2) ** (2 * K)
        assert scaled.denominator == 1
        s = isqrt(scaled.numerator)
        if s * s == scaled.numerator:
            return round_frac(Fraction(s, 1 << K), fmt, rm)
        return round_frac(Fraction(2 * s + 1, 1 << (K + 1)), fmt, rm, sticky=True)
    a, b = xs
    if a.nan or b.nan:
        return canon(fmt), flags
    if op in ('fadd', 'fsub'):
        bsign = b.sign ^ (op == 'fsub')
        bval = -b.val if op == 'fsub' else b.val
        if a.kind == 'inf' or b.kind == 'inf':
            if a.kind == 'inf' and b.kind == 'inf' and a.sign != bsign:
                return canon(fmt), NV
            return inf(fmt, a.sign if a.kind == 'inf' else bsign), 0
        return finish_sum(a.sign, a.val, bsign, bval, fmt, rm)
    sign = a.sign ^ b.sign
    if op == 'fmul':
        if a.kind == 'inf' or b.kind == 'inf':
            if (a.kind == 'num' and a.val == 0) or (b.kind == 'num' and b.val == 0):
                return canon(fmt), NV
            return inf(fmt, sign), 0
        v = a.val * b.val
        return (zero(fmt, sign), 0) if v == 0 else round_frac(v, fmt, rm)
    if op == 'fdiv':
        if a.kind == 'inf':
            return (canon(fmt), NV) if b.kind == 'inf' else (inf(fmt, sign), 0)
        if b.kind == 'inf':
            return zero(fmt, sign), 0
        if b.val == 0:
            return (canon(fmt), NV) if a.val == 0 else (inf(fmt, sign), DZ)
        v = a.val / b.val
        return (zero(fmt, sign), 0) if v == 0 else round_frac(v, fmt, rm)
    raise ValueError(op)


INT = {'w': (32, True), 'wu': (32, False), 'l': (64, True), 'lu': (64, False)}


def to_int(kind, fmt, rm, bits):
    width, signed = INT[kind]
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    x = decode(bits, fmt)
    if x.nan or (x.kind == 'inf' and not x.sign):
        r, fl = hi, NV
    elif x.kind == 'inf':
        r, fl = lo, NV
    else:
        v = x.val
        n = v.numerator // v.denominator
        rest = v - n
        if rest:
            if rm == 0:
                n = n + 1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n & 1) else n
            elif rm == 1:
                n = n + 1 if v < 0 else n
            elif rm == 3:
                n = n + 1
            elif rm == 4:
                n = n + 1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and v > 0) else n
        if n < lo:
            r, fl = lo, NV
        elif n > hi:
            r, fl = hi, NV
        else:
            r, fl = n, (NX if rest else 0)
    r &= (1 << width) - 1
    if width == 32 and r >> 31:  # 32-bit results are sign-extended
        r |= 0xffffffff00000000
    return r, fl


def from_int(kind, fmt, rm, bits):
    width, signed = INT[kind]
    v = bits & ((1 << width) - 1)
    if signed and v >> (width - 1):
        v -= 1 << width
    if v == 0:
        return 0, 0
    return round_frac(Fraction(v), fmt, rm)


def classify(x, bits, fmt):
    e, m = FMT[fmt]
    if x.kind == 'inf':
        return 0 if x.sign else 7
    if x.kind == 'snan':
        return 8
    if x.kind == 'qnan':
        return 9
    if x.val == 0:
        return 3 if x.sign else 4
    sub = (bits >> m & ((1 << e) - 1)) == 0
    if x.sign:
        return 2 if sub else 1
    return 5 if sub else 6


def misc(op, fmt, ops, reg64):
    """fmin/fmax, compares, sign injection, fclass, fmv: (result, flags)."""
    raw = [unbox(b, fmt, reg64) for b in ops]
    xs = [decode(b, fmt) for b in raw]
    e, m = FMT[fmt]
    signbit = 1 << (e + m)
    if op in ('fmin', 'fmax'):
        a, b = xs
        fl = NV if any(x.kind == 'snan' for x in xs) else 0
        if a.nan and b.nan:
            return box(fmt, canon(fmt)), fl
        if a.nan:
            return box(fmt, raw[1]), fl
        if b.nan:
            return box(fmt, raw[0]), fl
        def key(x):  # order with -0 < +0
            big = Fraction(2) ** 2000
            v = (-big if x.sign else big) if x.kind == 'inf' else x.val
            return (v, 0 if x.sign else 1)
        pick_a = key(a) <= key(b) if op == 'fmin' else key(a) >= key(b)
        return box(fmt, raw[0] if pick_a else raw[1]), fl
    if op in ('feq', 'flt', 'fle'):
        a, b = xs
        if a.nan or b.nan:
            if op == 'feq':
                return 0, NV if any(x.kind == 'snan' for x in xs) else 0
            return 0, NV
        def val(x):
            big = Fraction(2) ** 2000
            return (-big if x.sign else big) if x.kind == 'inf' else x.val
        va, vb = val(a), val(b)
        return int(va == vb if op == 'feq' else va < vb if op == 'flt' else va <= vb), 0
    if op.startswith('fsgnj'):
        mag = raw[0] & (signbit - 1)
        sa, sb = raw[0] & signbit, raw[1] & signbit
        sign = sb if op == 'fsgnj' else (sb ^ signbit if op == 'fsgnjn' else sa ^ sb)
        return box(fmt, mag | sign), 0
    if op == 'fclass':
        return 1 << classify(xs[0], raw[0], fmt), 0
    raise ValueError(op)


def box(fmt, r):
    return r | 0xffffffff00000000 if fmt == 's' else r


def check_line(line):
    if '->' not in line or line.startswith('#'):
        return None
    lhs, rhs = line.split('->')
    words = lhs.split()
    res = rhs.split()
    op, rm_name, operands = words[0], words[1], [int(w, 16) for w in words[2:]]
    if rm_name not in RMS and rm_name != '-':
        return None
    rm = RMS.get(rm_name, 0)
    reg64 = any(len(w) == 16 for w in words[2:])
    got_r = int(res[0], 16)
    got_f = sum(bit for ch, bit in zip(res[1], (NV, DZ, OF, UF, NX)) if ch != '.')
    base, _, sfx = op.partition('.')
    if base.startswith('fcvt'):
        dst, src = sfx.split('.')
        if dst in INT and src in FMT:
            exp = to_int(dst, src, rm, unbox(operands[0], src, reg64))
        elif dst in FMT and src in INT:
            r, f = from_int(src, dst, rm, operands[0])
            exp = box(dst, r), f
        elif dst in FMT and src in FMT:
            x = decode(operands[0], src, reg64)
            if x.nan:
                r, f = canon(dst), NV if x.kind == 'snan' else 0
            elif x.kind == 'inf':
                r, f = inf(dst, x.sign), 0
            elif x.val == 0:
                r, f = zero(dst, x.sign), 0
            else:
                r, f = round_frac(x.val, dst, rm)
            exp = box(dst, r), f
        else:
            return None
    elif base in ('fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fmadd', 'fmsub', 'fnmadd', 'fnmsub'):
        r, f = arith(base, sfx, rm, operands, reg64)
        exp = box(sfx, r), f
    elif base in ('fmin', 'fmax', 'feq', 'flt', 'fle', 'fsgnj', 'fsgnjn', 'fsgnjx', 'fclass'):
        exp = misc(base, sfx, operands, reg64)
    elif op == 'fmv.x.w':
        v = operands[0] & 0xffffffff
        exp = (v | 0xffffffff00000000 if v >> 31 else v), 0
    elif op == 'fmv.w.x':
        exp = box('s', operands[0] & 0xffffffff), 0
    else:
        return None
    if exp != (got_r, got_f):
        return f'expected {exp[0]:016x} flags {exp[1]:02x}, file has {got_r:016x} {got_f:02x}'
    return ''


def main():
    bad = checked = 0
    for path in sys.argv[1:]:
        with open(path) as fh:
            for no, line in enumerate(fh, 1):
                msg = check_line(line.rstrip('\n'))
                if msg is None:
                    continue
                checked += 1
                if msg:
                    bad += 1
                    print(f'{path}:{no}: {line.strip()}\n    {msg}')
    print(f'{checked} lines checked, {bad} disagree')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
