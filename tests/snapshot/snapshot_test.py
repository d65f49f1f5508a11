#!/usr/bin/env python3
"""Snapshots of vm boot (docs/snapshot.md) with tests/snapshot/count.S, which counts and
prints: its output is checked against the lines computed here; a run saved through the
control socket and restored in a fresh vm (under every pair of engines) must print exactly
the rest of them; a snapshot loaded into a running machine takes it back to the saved count;
a snapshot restored after more than the guest's 3-second limit on time leaps still passes
(the machine's time goes on from the save); one of two harts restores with both and is
refused with one. Then the broken snapshots: truncated, corrupted,
another version, another machine (--memory), a CPU state no CPU can have, not a snapshot;
each refused with its message before anything runs. The file format is read here on its
own (header, CRC-32 of every section as zlib computes it), as an oracle of the format's
document. Prints PASS/FAIL lines.

A virtio driver (virtio_count.c) saved with its queue in use goes on using it after a
restore; a snapshot with the RNG in slot 0 does not load where a disk is.

usage: snapshot_test.py VM COUNT_KERNEL VIRTIO_KERNEL OUTDIR   (ENGINES: default "interp jit")"""
import json
import os
import struct
import subprocess
import sys
import time
import zlib

vm, kernel, virtio_kernel, out = sys.argv[1:]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from control_client import Machine  # noqa: E402
engines = os.environ.get('ENGINES', 'interp jit').split()
base = [vm, 'boot', '--bios=none', f'--kernel={kernel}', '--memory=16M']
failures = 0


def check(label, ok, detail=''):
    global failures
    print(f'PASS snapshot/{label}' if ok else f'FAIL snapshot/{label}: {detail}')
    failures += not ok


def expect(label, got, want):
    check(label, got == want, f'got {got!r}, want {want!r}')


def expected_lines():
    """count.S's 40 lines: an FP sum of 1.5 a line, a checksum c = 31 c + n from 7."""
    lines, s, c = [], 0.0, 7
    for n in range(40):
        s += 1.5
        c = (c * 31 + n) % 2**64
        lines.append(f'count {n} sum {int(s)} check {c & 0xffffffff}\n')
    return lines


EXPECTED = ''.join(expected_lines()) + 'done\n'
LINES = expected_lines()


def run(args, timeout=60, kernel_args=None):
    p = subprocess.run((kernel_args or base) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def start(tag, engine, extra=(), args=None):
    """A vm boot with a control socket."""
    return Machine((args or base) + [f'--engine={engine}', *extra], f'{out}/{tag}.sock')


def save_paused(engine, snap, at='count 3 '):
    """Runs count under engine up to the line starting at, pauses, saves snap and quits:
    the output printed before the save."""
    m = start(f'save-{engine}', engine)
    m.read_until(at)
    r = m.ask('pause')
    m.drain()
    r2 = m.ask('snapshot-save', path=snap)
    check(f'save-{engine}', r['ok'] and r2['ok'] and r2['result']['path'] == snap and
          r2['result']['pc'] == r['result']['pc'] and
          r2['result']['bytes'] == os.path.getsize(snap), f'{r} {r2}')
    m.ask('quit')
    status, text, err = m.finish()
    check(f'save-{engine}-prefix', status == 0 and err == '' and EXPECTED.startswith(text) and
          at in text, f'status {status}, stderr {err!r}, output {text[-200:]!r}')
    return text


def read_sections(data):
    """The snapshot format read independently: (config, [(name, payload, encoding)]), with
    the header's and every section's CRC-32 checked as zlib computes it."""
    magic, version, config_len, n, flags, crc = struct.unpack_from('<8sIIIII', data)
    assert magic == b'VMSNAPSH' and version == 2 and flags == 0, (magic, version, flags)
    config = data[28:28 + config_len]
    assert crc == zlib.crc32(config, zlib.crc32(data[:24])), 'header CRC'
    pos, sections = 28 + config_len, []
    for _ in range(n):
        h = data[pos:pos + 64]
        name = h[:48].rstrip(b'\0').decode()
        length, encoding, crc = struct.unpack_from('<QII', h, 48)
        payload = data[pos + 64:pos + 64 + length]
        assert crc == zlib.crc32(h[:60], zlib.crc32(payload)), f'CRC of {name}'
        sections.append((name, pos, payload, encoding))
        pos += 64 + length
    assert pos == len(data), 'trailing bytes'
    return config.decode(), sections


def main():
    ref = {}
    for e in engines:
        status, text, err = run([f'--engine={e}'])
        expect(f'reference-{e}', (status, text, err), (0, EXPECTED, ''))
        ref[e] = status == 0

    snaps = {}
    for e in engines:
        snaps[e] = f'{out}/count-{e}.snap'
        prefix = save_paused(e, snaps[e])
        snaps[e] = (snaps[e], prefix)
    for saved in engines:
        snap, prefix = snaps[saved]
        for restored in engines:
            status, text, err = run([f'--engine={restored}', f'--restore={snap}'])
            check(f'restore-{saved}-to-{restored}', status == 0 and err == '' and
                  prefix + text == EXPECTED,
                  f'status {status}, stderr {err!r}, saved {prefix[-80:]!r}, restored {text[:200]!r}')

    snap, prefix = snaps[engines[-1]]
    # The restore is an event, after created and before started.
    events = f'{out}/restore.events'
    if os.path.exists(events):
        os.unlink(events)
    status, text, err = run([f'--restore={snap}', f'--events={events}'])
    evs = [json.loads(line) for line in open(events)] if os.path.exists(events) else []
    check('restore-events', status == 0 and prefix + text == EXPECTED and
          [(e['event'], e.get('action'), e.get('path')) for e in evs] ==
          [('created', None, None), ('snapshot', 'load', snap), ('started', None, None),
           ('shutdown', None, None)], f'status {status} {err!r} {evs}')
    data = open(snap, 'rb').read()
    try:
        config, sections = read_sections(data)
        names = [s[0] for s in sections]
        check('format', config.startswith('machine=riscv64-virt\nharts=1\nmemory=16777216\n') and
              'device=htif@0x80001000\n' in config and names[0] == 'cpu0' and
              names[-1] == 'ram' and 'console' in names and 'aclint@0x2000000' in names,
              f'{config!r} {names}')
    except AssertionError as e:
        check('format', False, str(e))
        return

    # Two harts, hart 1 asleep in WFI: a pause stops both, the snapshot holds both, a
    # restore with two harts goes on exactly, and one into a single hart is refused.
    m = start('smp', e, extra=['--cpus=2'])
    m.read_until('count 3 ')
    r = m.ask('pause')
    m.drain()
    smp = f'{out}/smp.snap'
    r2 = m.ask('snapshot-save', path=smp)
    m.ask('quit')
    status, prefix2, err = m.finish()
    smp_config, smp_sections = read_sections(open(smp, 'rb').read())
    smp_names = [s[0] for s in smp_sections]
    check('smp-save', r['ok'] and r2['ok'] and status == 0 and err == '' and
          'harts=2\n' in smp_config and smp_names[:2] == ['cpu0', 'cpu1'] and
          'cpu2' not in smp_names, f'{r} {r2} status {status} {err!r} {smp_names}')
    status, text, err = run([f'--engine={engines[0]}', '--cpus=2', f'--restore={smp}'])
    check('smp-restore', status == 0 and err == '' and prefix2 + text == EXPECTED,
          f'status {status}, stderr {err!r}, saved {prefix2[-80:]!r}, restored {text[:200]!r}')
    got = run([f'--restore={smp}'])
    expect('refuse-smp-one-hart', got, (1, '', f'vm: --restore={smp}: the snapshot is of '
                                        'another machine (harts=2 in the snapshot, harts=1 here)\n'))

    # A save while running (vm pauses for it and goes on), restored after more than the
    # guest's limit on time leaps: the machine's time goes on from the save.
    e = engines[-1]
    m = start('running', e)
    m.read_until('count 3 ')
    running = f'{out}/running.snap'
    r = m.ask('snapshot-save', path=running)
    status, text, err = m.finish()
    check('save-running', r['ok'] and status == 0 and text == EXPECTED and err == '',
          f'{r} status {status} {err!r} {text[-100:]!r}')
    time.sleep(3.5)
    status, text, err = run([f'--engine={engines[0]}', f'--restore={running}'])
    # (the save may fall between two bytes of a line: the UART sends one at a time)
    check('restore-after-3s', status == 0 and err == '' and EXPECTED.endswith(text) and
          len('done\n') < len(text) <= len(EXPECTED) - EXPECTED.find('count 3 '),
          f'status {status}, stderr {err!r}, output {text[:200]!r}')

    # snapshot-load into a running machine: it goes back to the saved count.
    m = start('load-running', e)
    m.read_until('count 2 ')
    r = m.ask('pause')
    m.drain()
    before = m.out.decode()
    r2 = m.ask('snapshot-load', path=snap)
    r3 = m.ask('resume')
    status, text, err = m.finish()
    check('load-running', r2['ok'] and r3['ok'] and status == 0 and err == '' and
          EXPECTED.startswith(before) and text == before + EXPECTED[len(prefix):],
          f'{r2} {r3} status {status} {err!r} {text[-300:]!r}')
    # A broken one changes nothing: the run goes on to the end as if never asked.
    m = start('load-broken', e)
    m.read_until('count 2 ')
    broken = f'{out}/broken.snap'
    open(broken, 'wb').write(data[:-100])
    r = m.ask('snapshot-load', path=broken)
    status, text, err = m.finish()
    check('load-running-broken', not r['ok'] and r['error'] == f'{broken}: truncated (its section '
          f'ram is cut short)' and status == 0 and text == EXPECTED and err == '',
          f'{r} status {status} {err!r} {text[-100:]!r}')

    # Broken snapshots, refused before the guest runs.
    def refused(label, blob, why, args=()):
        path = f'{out}/{label}.snap'
        if blob is not None:
            open(path, 'wb').write(blob)
        got = run([f'--restore={path}', *args])
        expect(f'refuse-{label}', got, (1, '', f'vm: --restore={path}: {why}\n'))

    def patched(name, offset, value, fix_crc=True):
        """data with byte offset of section name's payload set to value (its CRC fixed)."""
        b = bytearray(data)
        _, pos, payload, _ = next(s for s in sections if s[0] == name)
        b[pos + 64 + offset] = value
        if fix_crc:
            new = bytes(b[pos + 64:pos + 64 + len(payload)])
            struct.pack_into('<I', b, pos + 60, zlib.crc32(bytes(b[pos:pos + 60]), zlib.crc32(new)))
        return bytes(b)

    cfg_end = 28 + len(config)
    refused('truncated', data[:-100], 'truncated (its section ram is cut short)')
    refused('truncated-header', data[:20], 'truncated (its header is cut short)')
    refused('truncated-sections', data[:cfg_end], f'truncated (it ends after 0 of its {len(sections)} sections)')
    refused('corrupted-ram', patched('ram', len(sections[-1][2]) // 2, 0x55 ^ sections[-1][2][len(sections[-1][2]) // 2], False),
            'corrupted (the CRC of its section ram does not match)')
    refused('corrupted-cpu', patched('cpu0', 8, data[sections[0][1] + 72] ^ 1, False),
            'corrupted (the CRC of its section cpu0 does not match)')
    b = bytearray(data)
    b[30] ^= 1
    refused('corrupted-header', bytes(b), "corrupted (the header's CRC does not match)")
    b = bytearray(data)
    struct.pack_into('<I', b, 8, 3)
    struct.pack_into('<I', b, 24, zlib.crc32(bytes(b[28:cfg_end]), zlib.crc32(bytes(b[:24]))))
    refused('version', bytes(b), 'version 3 of the snapshot format, and this vm reads version 2')
    refused('other-machine', data, 'the snapshot is of another machine (memory=16777216 in the '
            'snapshot, memory=33554432 here)', ['--memory=32M'])
    # the priv field (the 71st word: pc, x 32, f 32, fflags, frm, 3 of the reservation) = 2
    refused('bad-cpu-state', patched('cpu0', 8 * 70, 2),
            'its section cpu0 does not hold a state this machine\'s cpu0 can take')
    # The saved mtime is the guest's time: moved 2^32 ticks (7 minutes) on in the file, the
    # restored guest sees its clock leap (count.S's status 4).
    _, pos, payload, _ = next(s for s in sections if s[0] == 'aclint@0x2000000')
    leap = f'{out}/leap.snap'
    open(leap, 'wb').write(patched('aclint@0x2000000', 8, payload[8] + 1))
    status, text, err = run([f'--restore={leap}'])
    check('restore-mtime', status == 4 and text.endswith('time went back or leapt\n') and
          err == '', f'status {status}, stderr {err!r}, output {text[-100:]!r}')
    refused('not-a-snapshot', open(kernel, 'rb').read(), 'not a vm snapshot')
    refused('missing', None, 'No such file or directory')

    # virtio: the RNG's queue, set up before the save, serves requests after the restore.
    vbase = [vm, 'boot', '--bios=none', f'--kernel={virtio_kernel}', '--memory=16M']
    vexpected = ''.join(f'rng {n} ok\n' for n in range(40)) + 'virtio ok\n'
    status, text, err = run([], kernel_args=vbase)
    expect('virtio-reference', (status, text, err), (0, vexpected, ''))
    vsnap = f'{out}/virtio.snap'
    m = start('virtio', engines[0], args=vbase)
    m.read_until('rng 3 ')
    r = m.ask('pause')
    m.drain()
    r2 = m.ask('snapshot-save', path=vsnap)
    m.ask('quit')
    _, prefix, _ = m.finish()
    status, text, err = run([f'--engine={engines[-1]}', f'--restore={vsnap}'], kernel_args=vbase)
    check('virtio-restore', r['ok'] and r2['ok'] and status == 0 and err == '' and
          prefix + text == vexpected, f'{r2} status {status} {err!r} {prefix[-60:]!r} {text[:100]!r}')
    disk = f'{out}/disk'
    open(disk, 'wb').write(bytes(4096))
    got = run([f'--restore={vsnap}', f'--drive={disk}'], kernel_args=vbase)
    expect('refuse-virtio-other-device', got, (1, '', f'vm: --restore={vsnap}: its section '
           'virtio_mmio@0x10001000 does not hold a state this machine\'s '
           'virtio_mmio@0x10001000 can take\n'))

    # virtio-net: user networking's connections live outside the machine, so a machine with a
    # network card refuses to be saved and runs on.
    nsnap = f'{out}/net.snap'
    m = start('net', engines[0], extra=['--net=user'])
    r = m.ask('snapshot-save', path=nsnap)
    m.ask('quit')
    m.finish()
    check('refuse-save-net', not r['ok'] and r['error'] == f'{nsnap}: the device '
          'virtio_net@0x10001000 cannot be saved (it has no snapshot support), so the machine '
          'cannot' and not os.path.exists(nsnap), f'{r}')


try:
    main()
except (OSError, EOFError, ValueError, KeyError, TimeoutError, subprocess.TimeoutExpired) as e:
    check('run', False, f'{type(e).__name__}: {e}')
sys.exit(1 if failures else 0)
