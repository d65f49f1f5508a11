#!/usr/bin/env python3
"""Walks every command and error case of vm boot's control socket (docs/control.md) against a
kernel that runs for ever, with several clients, an event subscriber and --events; then a
kernel that fails by itself, for guest-error and shutdown; snapshots; device hot-plug. Prints PASS/FAIL lines.

usage: control_test.py VM FOREVER_KERNEL FAILING_KERNEL OUTDIR
FAILING_KERNEL ends with HTIF status 42."""
import json
import os
import subprocess
import sys
import time

vm, forever, failing, out = sys.argv[1:]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from control_client import ControlClient  # noqa: E402
failures = 0


def check(label, ok, detail=''):
    global failures
    print(f'PASS service/control-{label}' if ok else f'FAIL service/control-{label}: {detail}')
    failures += not ok


def start(kernel, tag, extra=()):
    sock, events = f'{out}/{tag}.sock', f'{out}/{tag}.events'
    for f in (sock, events):
        if os.path.exists(f):
            os.unlink(f)
    p = subprocess.Popen([vm, 'boot', '--bios=none', f'--kernel={kernel}', f'--control={sock}',
                          f'--events={events}', *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return p, sock, events


def expect(label, got, want):
    check(label, got == want, f'got {got!r}, want {want!r}')


def events_of(path):
    return [json.loads(l) for l in open(path)]


def main():
    p, sock, events_path = start(forever, 'control')
    a, b = ControlClient(sock, 10), ControlClient(sock, 10)
    assert p.stdout.readline() == b'up\n'

    r = a.request({'id': 1, 'cmd': 'status', 'args': {}})
    res = r.get('result', {})
    check('status', r.get('id') == 1 and r.get('ok') is True and set(res) ==
          {'state', 'pc', 'instructions_translated', 'uptime'} and res['state'] == 'running'
          and res['pc'].startswith('0x8') and res['instructions_translated'] > 0
          and res['uptime'] > 0, repr(r))
    expect('status-no-args', a.request({'id': 'two', 'cmd': 'status'})['result']['state'], 'running')

    expect('subscribe', b.request({'id': 7, 'cmd': 'subscribe'}),
           {'id': 7, 'ok': True, 'result': {'subscribed': True}})

    r = a.request({'id': 2, 'cmd': 'pause'})
    check('pause', r['ok'] and r['result']['state'] == 'paused', repr(r))
    pc = r['result']['pc']
    ev = b.line()
    check('event-paused', ev['event'] == 'paused' and ev['pc'] == pc and 'time' in ev, repr(ev))
    s1 = a.request({'id': 3, 'cmd': 'status'})['result']
    time.sleep(0.2)
    s2 = a.request({'id': 4, 'cmd': 'status'})['result']
    check('paused-stays', s1['state'] == s2['state'] == 'paused' and s1['pc'] == s2['pc'] == pc
          and s1['instructions_translated'] == s2['instructions_translated'], f'{s1} {s2}')
    expect('pause-twice', a.request({'id': 5, 'cmd': 'pause'}),
           {'id': 5, 'ok': False, 'error': 'the machine is not running'})
    expect('resume', a.request({'id': 6, 'cmd': 'resume'}),
           {'id': 6, 'ok': True, 'result': {'state': 'running'}})
    ev = b.line()
    check('event-resumed', ev['event'] == 'resumed' and set(ev) == {'event', 'time'}, repr(ev))
    expect('resume-running', a.request({'id': 8, 'cmd': 'resume'}),
           {'id': 8, 'ok': False, 'error': 'the machine is not paused'})

    r = a.request({'id': 9, 'cmd': 'stats'})
    st = r['result']
    check('stats', r['ok'] and st['blocks_translated'] > 0 and st['tlb_hits'] > 0 and
          st['instructions_translated'] >= s1['instructions_translated'] and
          st['exits']['interrupt'] >= 1 and set(st['exits']) >= {'syscall', 'illegal'}, repr(r))

    errors = [
        (b'{"id": 10, "cmd": \n', None, 'malformed JSON'),
        (b'[1, 2]\n', None, 'a request must be a JSON object'),
        (b'{"id": 11}\n', 11, 'missing cmd'),
        (b'{"id": 12, "cmd": 5}\n', 12, 'cmd must be a string'),
        (b'{"id": 13, "cmd": "frobnicate"}\n', 13, 'unknown command: frobnicate'),
        (b'{"id": 14, "cmd": "status", "args": [1]}\n', 14, 'args must be an object'),
        (b'{"id": 15, "cmd": "status", "args": {"verbose": true}}\n', 15,
         'unknown argument of status: verbose'),
        (b'{"id": 16, "cmd": "status", "extra": 1}\n', 16,
         'unknown member of the request (id, cmd and args are allowed)'),
        (b'{"id": [16], "cmd": "status"}\n', None, 'id must be a number, a string or null'),
        (b'{"id": 17, "cmd": "quit", "args": {"status": 300}}\n', 17,
         'status must be an integer from 0 to 255'),
        (b'{"id": 18, "cmd": "quit", "args": {"status": "1"}}\n', 18,
         'status must be an integer from 0 to 255'),
        (b'\n', None, 'malformed JSON'),
    ]
    for raw, id_, why in errors:
        expect('error ' + raw.decode().strip(), a.send_raw(raw), {'id': id_, 'ok': False, 'error': why})
    long_line = b'{"id": 19, "cmd": "status", "pad": "' + b'x' * 70000 + b'"}\n'
    expect('oversized', a.send_raw(long_line),
           {'id': None, 'ok': False, 'error': 'request line longer than 65536 bytes'})
    expect('after-oversized', a.request({'id': 20, 'cmd': 'status'})['result']['state'], 'running')

    # A client that leaves mid-request, and one that sends two requests in one write.
    c = ControlClient(sock, 10)
    c.s.sendall(b'{"id": 21, "cmd": "pa')
    c.s.close()
    r = a.send_raw(b'{"id": 22, "cmd": "status"}\n{"id": 23, "cmd": "status"}\n')
    check('disconnect-mid-request', r['id'] == 22 and a.line()['id'] == 23 and
          r['result']['state'] == 'running', repr(r))
    check('still-running', p.poll() is None, 'vm exited')

    expect('quit', a.request({'id': 24, 'cmd': 'quit', 'args': {'status': 3}}),
           {'id': 24, 'ok': True, 'result': {'status': 3}})
    ev = b.line()
    check('event-shutdown', {k: ev.get(k) for k in ('event', 'reason', 'status')} ==
          {'event': 'shutdown', 'reason': 'quit', 'status': 3}, repr(ev))
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    expect('exit-status', p.returncode, 3)
    expect('stderr', p.stderr.read(), b'')
    names = [e['event'] for e in events_of(events_path)]
    expect('events-file', names, ['created', 'started', 'paused', 'resumed', 'shutdown'])
    expect('socket-removed', os.path.exists(sock), False)

    # A kernel that ends by itself with status 42: guest-error, then shutdown; quit while
    # paused goes straight to shutdown.
    p, sock, events_path = start(failing, 'failing')
    p.wait(timeout=20)
    evs = events_of(events_path)
    expect('events-guest', [(e['event'], e.get('status'), e.get('reason')) for e in evs],
           [('created', None, None), ('started', None, None), ('guest-error', 42, None),
            ('shutdown', 42, 'guest')])
    expect('guest-exit-status', p.returncode, 42)

    p, sock, events_path = start(forever, 'paused-quit')
    a = ControlClient(sock, 10)
    p.stdout.readline()
    a.request({'id': 1, 'cmd': 'pause'})
    expect('quit-paused', a.request({'id': 2, 'cmd': 'quit'}), {'id': 2, 'ok': True, 'result': {'status': 0}})
    p.wait(timeout=10)
    expect('quit-paused-status', p.returncode, 0)
    expect('quit-paused-events', [e['event'] for e in events_of(events_path)],
           ['created', 'started', 'paused', 'shutdown'])

    # Snapshots: saved running (paused for it, then running again) and paused, loaded back;
    # a snapshot of a machine with other RAM, and the argument errors.
    small, small_sock, _ = start(forever, 'snapshot-small', ['--memory=16M'])
    c = ControlClient(small_sock, 10)
    small.stdout.readline()
    small_snap = f'{out}/small.snap'
    check('snapshot-save-small', c.request({'id': 1, 'cmd': 'snapshot-save',
                                        'args': {'path': small_snap}})['ok'])
    c.request({'id': 2, 'cmd': 'quit'})
    small.wait(timeout=10)
    p, sock, events_path = start(forever, 'snapshot')
    a, b = ControlClient(sock, 10), ControlClient(sock, 10)
    p.stdout.readline()
    b.request({'id': 0, 'cmd': 'subscribe'})
    snap = f'{out}/forever.snap'
    r = a.request({'id': 1, 'cmd': 'snapshot-save', 'args': {'path': snap}})
    res = r.get('result', {})
    check('snapshot-save', r.get('ok') is True and set(res) == {'path', 'pc', 'bytes'} and
          res['path'] == snap and res['pc'].startswith('0x8') and
          res['bytes'] == os.path.getsize(snap), repr(r))
    evs = [b.line() for _ in range(3)]
    check('event-snapshot-save', [e['event'] for e in evs] == ['paused', 'snapshot', 'resumed']
          and evs[1]['action'] == 'save' and evs[1]['path'] == snap, repr(evs))
    expect('snapshot-save-runs-on', a.request({'id': 2, 'cmd': 'status'})['result']['state'],
           'running')
    pc = a.request({'id': 3, 'cmd': 'pause'})['result']['pc']
    r = a.request({'id': 4, 'cmd': 'snapshot-load', 'args': {'path': snap}})
    check('snapshot-load', r.get('ok') is True and r['result'] == {'path': snap, 'pc': res['pc']},
          repr(r))
    s = a.request({'id': 5, 'cmd': 'status'})['result']
    check('snapshot-load-paused', s['state'] == 'paused' and s['pc'] == res['pc'], repr(s))
    b.line()
    ev = b.line()
    check('event-snapshot-load', ev['event'] == 'snapshot' and ev['action'] == 'load' and
          ev['path'] == snap, repr(ev))
    r = a.request({'id': 6, 'cmd': 'snapshot-save', 'args': {'path': snap + '2'}})
    check('snapshot-save-paused', r.get('ok') is True and r['result']['pc'] == res['pc'] and
          a.request({'id': 7, 'cmd': 'status'})['result']['state'] == 'paused', repr(r))
    a.request({'id': 8, 'cmd': 'resume'})
    missing = f'{out}/missing/snap'
    errors = [
        ('snapshot-save', {}, 'missing path'),
        ('snapshot-load', {}, 'missing path'),
        ('snapshot-save', {'path': 5}, 'path must be a non-empty string'),
        ('snapshot-load', {'path': ''}, 'path must be a non-empty string'),
        ('snapshot-save', {'path': snap, 'level': 3}, 'unknown argument of snapshot-save: level'),
        ('snapshot-save', {'path': missing}, f'{missing}: No such file or directory'),
        ('snapshot-load', {'path': missing}, f'{missing}: No such file or directory'),
        ('snapshot-load', {'path': forever}, f'{forever}: not a vm snapshot'),
        ('snapshot-load', {'path': small_snap}, f'{small_snap}: the snapshot is of another machine '
         '(memory=16777216 in the snapshot, memory=536870912 here)'),
    ]
    for n, (cmd, args, why) in enumerate(errors):
        expect(f'error {cmd} {args}', a.request({'id': 10 + n, 'cmd': cmd, 'args': args}),
               {'id': 10 + n, 'ok': False, 'error': why})
    expect('snapshot-errors-running', a.request({'id': 30, 'cmd': 'status'})['result']['state'],
           'running')
    a.request({'id': 31, 'cmd': 'quit'})
    p.wait(timeout=10)
    expect('snapshot-status', p.returncode, 0)
    evs = events_of(events_path)
    expect('snapshot-events', [(e['event'], e.get('action')) for e in evs],
           [('created', None), ('started', None), ('paused', None), ('snapshot', 'save'),
            ('resumed', None), ('paused', None), ('snapshot', 'load'), ('snapshot', 'save'),
            ('resumed', None)] + [('paused', None), ('resumed', None)] * 4 + [('shutdown', None)])
    expect('snapshot-errors-leave-no-file', os.path.exists(missing + '.tmp') or
           os.path.exists(snap + '.tmp'), False)

    hotplug()


def hotplug():
    """device-add and device-remove on the forever kernel (no --drive: the RNG is in slot 0):
    a disk added to the first free slot and another to a given one, readonly; every error
    reply, with the machine running on; the snapshot refused while a slot differs from
    boot and taken again once it does not; the events."""
    p, sock, events_path = start(forever, 'hotplug')
    a = ControlClient(sock, 10)
    p.stdout.readline()
    disk, ro, odd = f'{out}/hotplug.disk', f'{out}/hotplug-ro.disk', f'{out}/hotplug-odd.disk'
    missing = f'{out}/missing/disk'
    for name in (disk, ro):
        with open(name, 'wb') as f:
            f.write(bytes(4096))
    with open(odd, 'wb') as f:
        f.write(bytes(700))
    add = {'driver': 'virtio-blk', 'file': disk}
    add_ro = {'driver': 'virtio-blk', 'file': ro, 'readonly': True}
    r = a.request({'id': 1, 'cmd': 'device-add', 'args': add})
    expect('device-add', r, {'id': 1, 'ok': True, 'result': {
        'id': 'vm-disk-0', 'driver': 'virtio-blk', 'slot': 1, 'file': disk, 'readonly': False,
        'address': '0x10002000', 'irq': 2}})
    r = a.request({'id': 2, 'cmd': 'device-add', 'args': {**add_ro, 'slot': 5}})
    expect('device-add-slot', r, {'id': 2, 'ok': True, 'result': {
        'id': 'vm-disk-1', 'driver': 'virtio-blk', 'slot': 5, 'file': ro, 'readonly': True,
        'address': '0x10006000', 'irq': 6}})
    snap = f'{out}/hotplug.snap'
    expect('snapshot-refused', a.request({'id': 3, 'cmd': 'snapshot-save', 'args': {'path': snap}}),
           {'id': 3, 'ok': False, 'error': f'{snap}: the device '
            'virtio_mmio-hotplugged@0x10002000 cannot be saved (a disk was hot-plugged into '
            'its slot or removed from it since boot), so the machine cannot'})
    errors = [
        ('device-add', {}, 'missing driver'),
        ('device-add', {'driver': 5, 'file': disk}, 'driver must be a non-empty string'),
        ('device-add', {'driver': 'virtio-blk'}, 'missing file'),
        ('device-add', {'driver': 'virtio-blk', 'file': ''}, 'file must be a non-empty string'),
        ('device-add', {'driver': 'virtio-scsi', 'file': disk},
         'unknown driver: virtio-scsi (virtio-blk is the only one)'),
        ('device-add', {**add, 'readonly': 'yes'}, 'readonly must be true or false'),
        ('device-add', {**add, 'slot': -1}, 'slot must be a non-negative integer'),
        ('device-add', {**add, 'slot': 1.5}, 'slot must be a non-negative integer'),
        ('device-add', {**add, 'slot': 8}, 'no slot 8 (the machine has virtio slots 0 to 7)'),
        ('device-add', {**add, 'slot': 0}, 'slot 0 is busy (it holds virtio-rng)'),
        ('device-add', {**add, 'slot': 1}, 'slot 1 is busy (it holds virtio-blk)'),
        ('device-add', {**add, 'size': 1}, 'unknown argument of device-add: size'),
        ('device-add', {'driver': 'virtio-blk', 'file': missing},
         f'{missing}: No such file or directory'),
        ('device-add', {**add_ro, 'file': out}, f'{out}: not a regular file'),
        ('device-add', {**add, 'file': out}, f'{out}: Is a directory'),
        ('device-add', {'driver': 'virtio-blk', 'file': odd},
         f"{odd}: a raw disk image's size must be a multiple of 512 bytes"),
        ('device-add', {**add_ro, 'file': disk}, f'{disk}: in use by another process'),
        ('device-add', {**add, 'file': ro}, f'{ro}: in use by another process'),
        ('device-remove', {}, "give the device's id or its slot (one of them)"),
        ('device-remove', {'id': 'vm-disk-0', 'slot': 1},
         "give the device's id or its slot (one of them)"),
        ('device-remove', {'id': 5}, 'id must be a non-empty string'),
        ('device-remove', {'id': 'vm-disk-9'}, 'no device with id vm-disk-9'),
        ('device-remove', {'slot': 9}, 'no slot 9 (the machine has virtio slots 0 to 7)'),
        ('device-remove', {'slot': 3}, 'no device in slot 3'),
        ('device-remove', {'slot': 0},
         'slot 0 holds virtio-rng, which cannot be removed (only disks can)'),
    ]
    for n, (cmd, args, why) in enumerate(errors):
        expect(f'error {cmd} {args}', a.request({'id': 10 + n, 'cmd': cmd, 'args': args}),
               {'id': 10 + n, 'ok': False, 'error': why})
    expect('hotplug-errors-running', a.request({'id': 40, 'cmd': 'status'})['result']['state'],
           'running')
    # The free slots filled with readonly disks (a shared lock each), then none is left.
    for n, slot in enumerate((2, 3, 4, 6, 7)):
        r = a.request({'id': 41 + n, 'cmd': 'device-add', 'args': add_ro})
        check(f'device-add-fill-{slot}', r.get('ok') and r['result']['slot'] == slot, repr(r))
    expect('device-add-full', a.request({'id': 50, 'cmd': 'device-add', 'args': add}),
           {'id': 50, 'ok': False, 'error': 'no free virtio slot (all 8 hold devices)'})
    r = a.request({'id': 51, 'cmd': 'device-remove', 'args': {'id': 'vm-disk-0'}})
    check('device-remove-id', r.get('ok') and r['result']['slot'] == 1 and
          r['result']['file'] == disk, repr(r))
    expect('device-remove-again', a.request({'id': 52, 'cmd': 'device-remove',
                                         'args': {'id': 'vm-disk-0'}}),
           {'id': 52, 'ok': False, 'error': 'no device with id vm-disk-0'})
    a.request({'id': 53, 'cmd': 'pause'})
    r = a.request({'id': 54, 'cmd': 'device-remove', 'args': {'slot': 5}})
    check('device-remove-paused', r.get('ok') and r['result']['id'] == 'vm-disk-1' and
          a.request({'id': 55, 'cmd': 'status'})['result']['state'] == 'paused', repr(r))
    a.request({'id': 56, 'cmd': 'resume'})
    for n, slot in enumerate((2, 3, 4, 6, 7)):
        a.request({'id': 60 + n, 'cmd': 'device-remove', 'args': {'slot': slot}})
    r = a.request({'id': 70, 'cmd': 'snapshot-save', 'args': {'path': snap}})
    check('snapshot-after-removal', r.get('ok') is True, repr(r))
    a.request({'id': 71, 'cmd': 'quit'})
    p.wait(timeout=10)
    expect('hotplug-status', p.returncode, 0)
    evs = [e for e in events_of(events_path) if e['event'].startswith('device-')]
    expect('hotplug-events', [(e['event'], e['id'], e['slot']) for e in evs],
           [('device-added', 'vm-disk-0', 1), ('device-added', 'vm-disk-1', 5)] +
           [('device-added', f'vm-disk-{n}', s) for n, s in zip(range(2, 7), (2, 3, 4, 6, 7))] +
           [('device-removed', 'vm-disk-0', 1), ('device-removed', 'vm-disk-1', 5)] +
           [('device-removed', f'vm-disk-{n}', s) for n, s in zip(range(2, 7), (2, 3, 4, 6, 7))])


try:
    main()
except (OSError, EOFError, ValueError, KeyError, AssertionError, subprocess.TimeoutExpired) as e:
    check('run', False, f'{type(e).__name__}: {e}')
sys.exit(1 if failures else 0)
