#!/usr/bin/env python3
"""The services of a KVM machine (vm boot --accel=kvm) with tests/kvm/count.c, which prints
a counting line every two ticks of its PIT: through the control socket it is paused (its output stops: no
new line in 0.3 s), resumed (the count goes on from where it stopped), asked for its stats
(KVM exits by reason, vCPU times) and told to quit; the --events file must hold exactly the
lifecycle of that run, a subscriber sees the same events, and --stats and --metrics count
the run's exits. Then snapshots: the counting guest saved mid-count and restored in a fresh
vm, and loaded into a running one, goes on from where it was; broken snapshots are refused.
Prints PASS/FAIL lines.

usage: control_test.py VM COUNT_KERNEL OUTDIR"""
import json
import os
import subprocess
import sys
import time

vm, kernel, out = sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..'))
from control_client import ControlClient, Machine  # noqa: E402
base = [vm, 'boot', '--accel=kvm', f'--kernel={kernel}', '--memory=16M']
failures = 0


def check(label, ok, detail=''):
    global failures
    print(f'PASS kvm/{label}' if ok else f'FAIL kvm/{label}: {detail}')
    failures += not ok


def expected_lines(n):
    """count.c's lines: a sum of 3 a line, a checksum c = 31 c + i from 7."""
    lines, c = [], 7
    for i in range(n):
        c = (c * 31 + i) % 2**64
        lines.append(f'count {i} sum {3 * (i + 1)} check {c & 0xffffffff}\n')
    return lines


def start(tag, extra=()):
    """A vm boot --accel=kvm of the counting guest with a control socket."""
    return Machine(base + list(extra), f'{out}/{tag}.sock')


def prom(label, path, *expect):
    r = subprocess.run([sys.executable, f'{here}/../service/prom_check.py', path, *expect],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(label, r.returncode == 0, r.stdout.decode().strip())


def control():
    """Pause, resume, stats, quit, with --events, a subscriber, --stats and --metrics."""
    lines = expected_lines(1000)
    events = f'{out}/control.events'
    metrics = f'{out}/control.prom'
    for f in (events, metrics):
        if os.path.exists(f):
            os.unlink(f)
    m = start('control', ['--append=lines=1000', f'--events={events}', f'--metrics={metrics}',
                            '--stats'])
    sub = ControlClient(m.sock_path, 30)
    m.read_until('count 3 ')
    r = sub.ask('subscribe')   # running now: no 'started' event first
    check('control-subscribe', r.get('ok') is True, f'{r}')
    r = m.ask('status')
    res = r.get('result', {})
    check('control-status', r.get('ok') is True and res.get('state') == 'running' and
          res.get('pc', '').startswith('0x'), f'{r}')

    paused = m.ask('pause')
    m.drain()
    before = m.out
    time.sleep(0.3)
    m.drain(0)
    status = m.ask('status')
    check('control-pause', paused.get('ok') is True and paused['result']['state'] == 'paused' and
          m.out == before and status['result']['state'] == 'paused' and
          status['result']['pc'] == paused['result']['pc'],
          f'{paused} {status}, output went on: {m.out[len(before):][:100]!r}')
    again = m.ask('pause')
    check('control-pause-paused', again == {'id': again.get('id'), 'ok': False,
                                            'error': 'the machine is not running'}, f'{again}')
    text = before.decode()
    done = text.count('\n')
    check('control-paused-output', text == ''.join(lines[:done]) or
          text.startswith(''.join(lines[:done])) and lines[done].startswith(text.split('\n')[-1]),
          f'{text[-200:]!r}')

    r = m.ask('resume')
    check('control-resume', r.get('ok') is True and r['result'] == {'state': 'running'}, f'{r}')
    m.read_until(lines[done + 2])
    check('control-resumed-output', m.out.decode().startswith(''.join(lines[:done + 3])),
          f'{m.out[-300:]!r}')
    again = m.ask('resume')
    check('control-resume-running', again.get('ok') is False and
          again.get('error') == 'the machine is not paused', f'{again}')

    r = m.ask('stats')
    res = r.get('result', {})
    names = ['io', 'mmio', 'hlt', 'shutdown', 'intr', 'system_event', 'internal_error',
             'fail_entry', 'other']
    exits = res.get('exits', {})
    vcpus = res.get('vcpus', [])
    check('control-stats', r.get('ok') is True and list(exits) == names and
          exits['io'] >= 2 * len(''.join(lines[:done + 3])) and
          len(vcpus) == 1 and vcpus[0]['vcpu'] == 0 and vcpus[0]['run_seconds'] > 0.05 and
          vcpus[0]['cpu_seconds'] > 0, f'{r}')

    # No virtio slot of a KVM machine takes a disk at run time: both hot-plug commands refuse.
    for cmd, args in (('device-add', {'driver': 'virtio-blk', 'file': kernel}),
                      ('device-remove', {'slot': 0})):
        r = m.ask(cmd, **args)
        check(f'control-{cmd}-refused', r.get('ok') is False and
              r.get('error') == 'this machine has no device hot-plug', f'{r}')

    r = m.ask('quit', status=3)
    status, text, err = m.finish()
    check('control-quit', r.get('ok') is True and r['result'] == {'status': 3} and status == 3 and
          ''.join(lines).startswith(text.rsplit('\n', 1)[0] + '\n'),
          f'{r} status {status} {text[-100:]!r}')
    err_lines = err.splitlines()
    io = [int(w.split()[1]) for w in err_lines[0].split(': ', 3)[3].split(', ')
          if w.startswith('io ')] if err_lines else []
    check('control-stats-at-exit', len(err_lines) == 2 and
          err_lines[0].startswith('vm: stats: exits from guest mode: io ') and
          io and io[0] >= exits['io'] and
          err_lines[1].startswith('vm: stats: vCPU 0: ') and 's of host CPU' in err_lines[1],
          f'{err!r}')
    prom('control-metrics', metrics, f'vm_cpu_exits_total{{reason="io"}} == {io[0] if io else -1}',
         'vm_cpu_exits_total{reason="internal_error"} == 0',
         'vm_vcpu_run_seconds_total{vcpu="0"} > 0.05', 'vm_machine_state{state="stopped"} == 1')

    evs = [json.loads(line) for line in open(events)] if os.path.exists(events) else []
    got = [(e['event'], e.get('pc'), e.get('reason'), e.get('status'), e.get('kernel')) for e in evs]
    want = [('created', None, None, None, kernel), ('started', None, None, None, None),
            ('paused', paused['result']['pc'], None, None, None),
            ('resumed', None, None, None, None), ('shutdown', None, 'quit', 3, None)]
    check('control-events', got == want, f'{got}')
    seen = []
    try:
        while True:
            seen.append(sub.line()['event'])
    except (EOFError, OSError):
        pass
    check('control-subscriber', seen == ['paused', 'resumed', 'shutdown'], f'{seen}')


def run(args, timeout=60):
    p = subprocess.run(base + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def snapshots():
    """count.c saved paused mid-count, restored in a fresh vm (it must print exactly the
    rest of its lines: registers, xmm0 through FXSAVE, the PIT and PIC, RAM) and loaded into
    a running one; broken snapshots refused."""
    n = 120
    expected = ''.join(expected_lines(n)) + 'done\n'
    snap = f'{out}/count.snap'
    m = start('snap', [f'--append=lines={n}'])
    m.read_until('count 3 ')
    paused = m.ask('pause')
    m.drain()
    saved = m.ask('snapshot-save', path=snap)
    m.ask('quit')
    _, prefix, err = m.finish()
    check('snapshot-save', paused.get('ok') is True and saved.get('ok') is True and
          saved['result']['pc'] == paused['result']['pc'] and
          saved['result']['bytes'] == os.path.getsize(snap) and expected.startswith(prefix) and
          err == '', f'{paused} {saved} {err!r}')
    status, text, err = run([f'--restore={snap}'])
    check('snapshot-restore', status == 0 and err == '' and prefix + text == expected,
          f'status {status}, stderr {err!r}, saved {prefix[-80:]!r}, restored {text[:120]!r}')

    m = start('load', [f'--append=lines={n}'])
    m.read_until('count 1 ')
    m.ask('pause')
    m.drain()
    before = m.out.decode()
    loaded = m.ask('snapshot-load', path=snap)
    resumed = m.ask('resume')
    status, text, err = m.finish()
    check('snapshot-load-running', loaded.get('ok') is True and resumed.get('ok') is True and
          loaded['result']['pc'] == saved['result']['pc'] and status == 0 and err == '' and
          text == before + expected[len(prefix):],
          f'{loaded} status {status} {err!r}, before the load {before[-60:]!r}, after it '
          f'{text[len(before):][:160]!r}, saved at {prefix[-40:]!r}')

    data = open(snap, 'rb').read()

    def refused(label, blob, why, args=()):
        path = f'{out}/{label}.snap'
        open(path, 'wb').write(blob)
        got = run([f'--restore={path}', *args])
        want = (1, '', f'vm: --restore={path}: {why}\n')
        check(f'snapshot-refuse-{label}', got == want, f'got {got!r}, want {want!r}')

    corrupted = bytearray(data)
    corrupted[-20] ^= 0x40           # in the RAM section, the last
    refused('corrupted', bytes(corrupted), 'corrupted (the CRC of its section ram does not match)')
    refused('truncated', data[:-100], 'truncated (its section ram is cut short)')
    refused('other-machine', data, 'the snapshot is of another machine (memory=16777216 in the '
            'snapshot, memory=33554432 here)', ['--memory=32M'])


def main():
    control()
    snapshots()


try:
    main()
except (OSError, EOFError, ValueError, KeyError, IndexError, TimeoutError,
        subprocess.TimeoutExpired) as e:
    check('control-run', False, f'{type(e).__name__}: {e}')
sys.exit(1 if failures else 0)
