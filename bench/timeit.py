#!/usr/bin/env python3
"""Timing helper for bench/run.sh and bench/system.sh: runs a command with stdout sent to a
file and prints the seconds it took: wall-clock time (time.perf_counter), or with --cpu the
CPU time the command and its threads used (user + system, from wait4's rusage), which a
machine shared with other work disturbs far less.

Usage: timeit.py [--cpu] OUTFILE CMD [ARGS...]
Exit status: the command's (128+N if it died of signal N).
"""
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    cpu = bool(args) and args[0] == '--cpu'
    if cpu:
        args = args[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, cmd = args[0], args[1:]
    with open(out_path, 'wb') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    if cpu:
        elapsed = usage.ru_utime + usage.ru_stime
    print(f'{elapsed:.6f}')
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == '__main__':
    sys.exit(main())
