#!/usr/bin/env python3
"""Timing helper for bench/run.sh: runs a command with stdout sent to a file
and prints its wall-clock time in seconds (time.perf_counter).

Usage: timeit.py OUTFILE CMD [ARGS...]
Exit status: the command's (128+N if it died of signal N).
"""
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, cmd = sys.argv[1], sys.argv[2:]
    with open(out_path, 'wb') as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
    print(f'{elapsed:.6f}')
    rc = proc.returncode
    return 128 - rc if rc < 0 else rc


if __name__ == '__main__':
    sys.exit(main())
