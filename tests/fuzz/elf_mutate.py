#!/usr/bin/env python3
"""Fuzzes vm's ELF loader: mutates the ELF header, the program headers and PT_INTERP of small
guest programs (static and dynamic, riscv64 and aarch64), or truncates or flips bytes of them,
and runs each mutant under vm. A mutant must either be refused (exit 126 or 127 with exactly
one stderr line, starting "vm: ") or run as a guest program (whose own ld.so may refuse it
in turn); vm dying of a host signal, an
ASan/UBSan report and a timeout (when qemu-user does not loop on it as well) are findings, kept in WORKDIR/findings with the command that
reproduces them.

Usage: elf_mutate.py --vm "CMD" --workdir DIR --seed N (--count N | --seconds N) BASE_ELF...
Output: "FAIL fuzz/elf ..." per finding (at most 20), then "PASS fuzz/elf: ..." or
"FAIL fuzz/elf: ..." with the counts."""
import argparse
import os
import random
import signal
import struct
import subprocess
import sys
import time

EHDR_FIELDS = [  # (offset, struct format) of the ELF64 header fields
    (4, 'B'), (5, 'B'), (6, 'B'), (7, 'B'), (16, '<H'), (18, '<H'), (20, '<I'), (24, '<Q'),
    (32, '<Q'), (40, '<Q'), (48, '<I'), (52, '<H'), (54, '<H'), (56, '<H'), (58, '<H'),
    (60, '<H'), (62, '<H'),
]
PHDR_FIELDS = [(0, '<I'), (4, '<I'), (8, '<Q'), (16, '<Q'), (24, '<Q'), (32, '<Q'),
               (40, '<Q'), (48, '<Q')]
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_PHDR, PT_TLS = 1, 2, 3, 6, 7
PT_GNU_STACK = 0x6474e551
GUEST_SIGNAL_LINE = 'vm: guest killed by signal '
QEMU = {243: ('qemu-riscv64', '/usr/riscv64-linux-gnu'), 183: ('qemu-aarch64', '/usr/aarch64-linux-gnu')}


def qemu_hangs(base, path, timeout):
    """Whether qemu-user also runs the mutant past the timeout (the mutation made a guest
    program that loops, e.g. an entry point inside a loop)."""
    qemu, sysroot = QEMU[struct.unpack_from('<H', base, 18)[0]]
    try:
        subprocess.run([qemu, '-L', sysroot, path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return True
    return False


def interesting(rng, old, size):
    top = (1 << (8 * size)) - 1
    choices = [0, 1, 2, 0x7f, 0x80, 0xff, 0x1000, 0xfff, 0x7fffffff, 0x80000000, 0xffffffff,
               0x100000000, 1 << 47, 1 << 48, (1 << 63) - 1, 1 << 63, top, top - 0xfff,
               old + 1, old - 1, old + 0x1000, old - 0x1000, old ^ (1 << rng.randrange(8 * size)),
               old * 2, old // 2, old + 0x10000000, rng.getrandbits(8 * size)]
    return rng.choice(choices) & top


class Mutant:
    def __init__(self, data):
        self.data = bytearray(data)
        self.phoff, = struct.unpack_from('<Q', data, 32)
        self.phentsize, self.phnum = struct.unpack_from('<HH', data, 54)

    def phdrs(self):
        out = []
        for i in range(self.phnum):
            off = self.phoff + i * self.phentsize
            if off + 56 <= len(self.data):
                out.append(off)
        return out

    def set_field(self, off, fmt, value):
        if off + struct.calcsize(fmt) <= len(self.data):
            struct.pack_into(fmt, self.data, off, value)

    def get_field(self, off, fmt):
        if off + struct.calcsize(fmt) <= len(self.data):
            return struct.unpack_from(fmt, self.data, off)[0]
        return 0


def mutate_ehdr(m, rng):
    off, fmt = rng.choice(EHDR_FIELDS)
    m.set_field(off, fmt, interesting(rng, m.get_field(off, fmt), struct.calcsize(fmt)))
    return 'ehdr+%d' % off


def mutate_phdr(m, rng):
    phdrs = m.phdrs()
    if not phdrs:
        return mutate_ehdr(m, rng)
    ph = rng.choice(phdrs)
    off, fmt = rng.choice(PHDR_FIELDS)
    if off == 0 and rng.random() < 0.5:
        value = rng.choice([PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_PHDR, PT_TLS, PT_GNU_STACK, 0])
    else:
        value = interesting(rng, m.get_field(ph + off, fmt), struct.calcsize(fmt))
    m.set_field(ph + off, fmt, value)
    return 'phdr@%d+%d' % (ph, off)


def interp_phdr(m):
    for ph in m.phdrs():
        if m.get_field(ph, '<I') == PT_INTERP:
            return ph
    return None


def mutate_interp(m, rng, paths):
    ph = interp_phdr(m)
    if ph is None:  # a static program: turn a harmless header into PT_INTERP
        for cand in m.phdrs():
            if m.get_field(cand, '<I') == PT_GNU_STACK:
                ph = cand
                m.set_field(ph, '<I', PT_INTERP)
                m.set_field(ph + 8, '<Q', 0x200)   # inside the ELF header's page
                m.set_field(ph + 32, '<Q', 32)
                break
        else:
            return mutate_phdr(m, rng)
    off, size = m.get_field(ph + 8, '<Q'), m.get_field(ph + 32, '<Q')
    kind = rng.randrange(4)
    if kind == 0 and off < len(m.data):   # another path in place, NUL-terminated if it fits
        path = rng.choice(paths).encode() + b'\0'
        end = min(len(m.data), off + max(size, len(path)))
        m.data[off:end] = (path + b'\0' * (end - off))[:end - off]
        m.set_field(ph + 32, '<Q', len(path))
    elif kind == 1:   # a size that drops the NUL or runs past the file
        m.set_field(ph + 32, '<Q', rng.choice([0, 1, size - 1, size + 1, 4096, 1 << 20,
                                               (1 << 64) - 1]) & ((1 << 64) - 1))
    elif kind == 2:
        m.set_field(ph + 8, '<Q', interesting(rng, off, 8))
    else:   # bytes of the path flipped
        for _ in range(rng.randrange(1, 4)):
            if size and off + size <= len(m.data):
                i = off + rng.randrange(size)
                m.data[i] = rng.randrange(256)
    return 'interp'


def mutate_bytes(m, rng):
    if rng.random() < 0.3:
        cut = rng.randrange(len(m.data))
        del m.data[cut:]
        return 'truncate@%d' % cut
    for _ in range(rng.randrange(1, 9)):
        i = rng.randrange(min(len(m.data), 4096))
        m.data[i] = rng.randrange(256)
    return 'bytes'


def classify(proc_status, stderr, timed_out):
    """None if vm behaved, else why not. Exit 126/127 and assertion messages also come from
    the guest (its ld.so refusing a mutated program), so only vm's own lines count."""
    if timed_out:
        return 'timeout'
    text = stderr.decode(errors='replace')
    for marker in ('AddressSanitizer', 'runtime error:', 'LeakSanitizer'):
        if marker in text:
            return 'sanitizer report: ' + marker
    lines = text.splitlines()
    vm_lines = [line for line in lines if line.startswith('vm: ')]
    if any('Assertion' in line for line in vm_lines):
        return 'assertion failed in vm'
    if proc_status in (126, 127) and vm_lines:
        if len(lines) != 1:
            return 'exit %d with %d stderr lines, not one "vm: " line' % (proc_status, len(lines))
        return None
    if proc_status < 0:
        sig = -proc_status
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGTRAP):
            if (GUEST_SIGNAL_LINE + '%d ' % sig) not in text:
                return 'vm died of host signal %d' % sig
        if sig == signal.SIGKILL:
            return 'killed'
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vm', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int)
    ap.add_argument('--seconds', type=float)
    ap.add_argument('--timeout', type=float, default=5)
    ap.add_argument('bases', nargs='+')
    args = ap.parse_args()

    os.makedirs(os.path.join(args.workdir, 'findings'), exist_ok=True)
    os.makedirs(os.path.join(args.workdir, 'files'), exist_ok=True)
    files = os.path.join(args.workdir, 'files')
    text = os.path.join(files, 'text')
    with open(text, 'w') as f:
        f.write('not an ELF\n')
    os.chmod(text, 0o755)
    noexec = os.path.join(files, 'noexec')
    with open(args.bases[0], 'rb') as src, open(noexec, 'wb') as dst:
        dst.write(src.read())
    os.chmod(noexec, 0o644)
    fifo = os.path.join(files, 'fifo')   # opening one blocks until a writer comes
    if not os.path.exists(fifo):
        os.mkfifo(fifo, 0o755)
    paths = ['/nonexistent/ld.so', '', '/', '/dev/null', '/dev/zero', text, noexec,
             '/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1',
             '/lib/ld-linux-riscv64-lp64d.so.1', 'ld.so', '/proc/self/exe', 'x' * 300,
             '/' + 'a/' * 2100, fifo] + [os.path.abspath(b) for b in args.bases]

    rng = random.Random(args.seed)
    bases = [open(b, 'rb').read() for b in args.bases]
    mutant_path = os.path.abspath(os.path.join(args.workdir, 'mutant'))
    vm = args.vm.split()
    stats = {'refused': 0, 'ran': 0, 'both hang': 0, 'findings': 0}
    start = time.monotonic()
    n = 0
    while True:
        if args.count is not None and n >= args.count:
            break
        if args.seconds is not None and time.monotonic() - start >= args.seconds:
            break
        base = rng.randrange(len(bases))
        m = Mutant(bases[base])
        what = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kind = rng.random()
            if kind < 0.3:
                what.append(mutate_ehdr(m, rng))
            elif kind < 0.7:
                what.append(mutate_phdr(m, rng))
            elif kind < 0.85:
                what.append(mutate_interp(m, rng, paths))
            else:
                what.append(mutate_bytes(m, rng))
        with open(mutant_path, 'wb') as f:
            f.write(m.data)
        os.chmod(mutant_path, 0o755)
        timed_out = False
        try:
            p = subprocess.run(vm + [mutant_path], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=args.timeout, cwd=files)
            status, stderr = p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            timed_out, status, stderr = True, None, e.stderr or b''
        why = classify(status, stderr, timed_out)
        if why == 'timeout' and qemu_hangs(bases[base], mutant_path, args.timeout):
            why, status = None, 0
            stats['both hang'] += 1
        if why:
            stats['findings'] += 1
            kept = os.path.abspath(os.path.join(args.workdir, 'findings', 'elf-%d-%d' % (args.seed, n)))
            with open(kept, 'wb') as f:
                f.write(m.data)
            os.chmod(kept, 0o755)
            if stats['findings'] <= 20:
                print('FAIL fuzz/elf seed %d mutant %d (%s of %s): %s; reproduce: %s %s'
                      % (args.seed, n, ','.join(what), os.path.basename(args.bases[base]), why,
                         args.vm, kept))
                for line in stderr.decode(errors='replace').splitlines()[:5]:
                    print('    ' + line)
        elif status in (126, 127) and stderr.startswith(b'vm: '):
            stats['refused'] += 1
        else:
            stats['ran'] += 1
        n += 1
    print('%s fuzz/elf: seed %d, %d mutants, %d refused, %d ran (%d of them looping under '
          'qemu-user too), %d findings'
          % ('FAIL' if stats['findings'] else 'PASS', args.seed, n, stats['refused'],
             stats['ran'], stats['both hang'], stats['findings']))
    sys.stdout.flush()
    return 1 if stats['findings'] else 0


if __name__ == '__main__':
    sys.exit(main())
