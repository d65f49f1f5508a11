#!/usr/bin/env python3
"""The host's side of the init's hot-plug check (tests/linux/run.sh): waits for the init to
say it is waiting for a disk, hot-plugs DISK into virtio slot 3 through vm's control socket,
waits for the init to have let the driver go, and removes the disk. Prints each reply, one
line each, for run.sh to check; gives up after TIMEOUT seconds.

usage: hotplug.py SOCKET CONSOLE_FILE DISK TIMEOUT"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from control_client import ControlClient  # noqa: E402

sock_path, console, disk, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
deadline = time.time() + timeout


def wait_for(line):
    while time.time() < deadline:
        try:
            with open(console, 'rb') as f:
                if line.encode() in f.read().replace(b'\r', b'').split(b'\n'):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    print(f'timed out waiting for {line!r}')
    return False


def ask(cmd, args):
    c = ControlClient(sock_path, 20)
    r = c.ask(cmd, **args)
    c.s.close()
    print(cmd, 'ok' if r.get('ok') else 'error', r.get('result', {}).get('id', r.get('error')))


if wait_for('=== vm-linux-test: hotplug ==='):
    ask('device-add', {'driver': 'virtio-blk', 'file': disk, 'slot': 3})
    if wait_for('hotplug: unbound'):
        ask('device-remove', {'slot': 3})
