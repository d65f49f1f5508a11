#!/usr/bin/env python3
"""vm boot's console on a terminal: vm puts the pseudo-terminal it runs on in raw mode and
restores it when Ctrl-A X quits (status 0, vm's message after a new line) and when a fatal
signal kills it (SIGTERM: the terminal is canonical again). Usage: console_tty.py VM KERNEL
(a kernel that spins forever). Prints PASS/FAIL lines."""
import os
import pty
import signal
import sys
import termios
import time

vm, kernel = sys.argv[1], sys.argv[2]


def run(how):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(vm, [vm, "boot", "--bios=none", "--kernel=" + kernel])
    deadline = time.time() + 10
    while termios.tcgetattr(fd)[3] & termios.ICANON:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "the terminal never became raw"
        time.sleep(0.01)
    if how == "quit":
        os.write(fd, b"\x01x")
    else:
        os.kill(pid, signal.SIGTERM)
    out = b""
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    canonical = termios.tcgetattr(fd)[3] & termios.ICANON
    os.close(fd)
    want_status = 0 if how == "quit" else signal.SIGTERM
    want_out = b"\r\nvm: terminated (Ctrl-A X)\r\n" if how == "quit" else b""
    if status != want_status or out != want_out or not canonical:
        return "status %d, output %r, terminal %s" % (
            status, out, "canonical" if canonical else "left raw")
    return None


for how in ("quit", "sigterm"):
    why = run(how)
    print("FAIL system/console-tty-%s: %s" % (how, why) if why else
          "PASS system/console-tty-%s" % how)
