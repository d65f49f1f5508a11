#!/usr/bin/env python3
"""Drives tests/system/hotplug.c over vm boot's control socket: waits for the guest to see
its empty slot, hot-plugs a disk the script wrote (device-add), waits for the guest to have
read it and written sector 2, removes it (device-remove), and checks the guest saw it go
(its exit status), the image holds the guest's sector 2 (flushed at removal), and the
device-added and device-removed events reached a subscriber and the --events file.
Prints PASS/FAIL lines.

usage: hotplug_test.py VM KERNEL OUTDIR ENGINE"""
import json
import os
import subprocess
import sys
import time

vm, kernel, out, engine = sys.argv[1:]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from control_client import ControlClient  # noqa: E402
failures = 0


def check(label, ok, detail=''):
    global failures
    name = f'system/hotplug-{label}[{engine}]'
    print(f'PASS {name}' if ok else f'FAIL {name}: {detail}')
    failures += not ok


def expect(label, got, want):
    check(label, got == want, f'got {got!r}, want {want!r}')


def pattern(s, x):
    return bytes((s ^ i ^ x) & 0xff for i in range(512))


def main():
    disk, sock, events = (f'{out}/hotplug-{engine}.{n}' for n in ('disk', 'sock', 'events'))
    with open(disk, 'wb') as f:
        f.write(b''.join(pattern(s, 0xa5) for s in range(4)))
    for f in (sock, events):
        if os.path.exists(f):
            os.unlink(f)
    p = subprocess.Popen([vm, 'boot', f'--engine={engine}', '--bios=none', f'--kernel={kernel}',
                          f'--control={sock}', f'--events={events}'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        a, sub = ControlClient(sock, 20), ControlClient(sock, 20)
        expect('empty', p.stdout.readline(), b'empty\n')
        sub.request({'cmd': 'subscribe'})   # running now: no 'started' event first
        added = {'id': 'vm-disk-0', 'driver': 'virtio-blk', 'slot': 1, 'file': disk,
                 'readonly': False, 'address': '0x10002000', 'irq': 2}
        expect('device-add', a.request({'id': 1, 'cmd': 'device-add',
                                    'args': {'driver': 'virtio-blk', 'file': disk}}),
               {'id': 1, 'ok': True, 'result': added})
        expect('guest-reads-disk', p.stdout.readline(), b'disk\n')
        expect('device-remove', a.request({'id': 2, 'cmd': 'device-remove',
                                       'args': {'id': 'vm-disk-0'}}),
               {'id': 2, 'ok': True, 'result': added})
        expect('guest-sees-removal', p.stdout.readline(), b'gone\n')
        p.wait(timeout=20)
        expect('status', (p.returncode, p.stderr.read()), (0, b''))
        evs = [sub.line() for _ in range(6)]
        names = [e['event'] for e in evs]
        expect('subscriber-events', names, ['paused', 'device-added', 'resumed', 'paused',
                                            'device-removed', 'resumed'])
        want_ev = {'id': 'vm-disk-0', 'driver': 'virtio-blk', 'slot': 1, 'file': disk,
                   'address': '0x10002000'}
        for e in (evs[1], evs[4]):
            expect(f'event-{e["event"]}', {k: v for k, v in e.items() if k not in ('event', 'time')},
                   want_ev)
        logged = [json.loads(l)['event'] for l in open(events)]
        expect('events-file', [e for e in logged if e.startswith('device-')],
               ['device-added', 'device-removed'])
        with open(disk, 'rb') as f:
            image = f.read()
        expect('image', image, pattern(0, 0xa5) + pattern(1, 0xa5) + pattern(2, 0x3c) +
               pattern(3, 0xa5))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


try:
    main()
except (OSError, EOFError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
    check('run', False, f'{type(e).__name__}: {e}')
sys.exit(1 if failures else 0)
