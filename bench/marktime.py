#!/usr/bin/env python3
"""Timing helper for bench/system.sh: runs a command whose console output comes on stdout,
copies that output to a file, and prints the wall-clock seconds (time.perf_counter) from the
command's start to the first line holding each MARKER, in order, then to the command's end.
A booted guest cannot be timed from outside by its own clock, and a guest clock can be wrong
in the guest (vm's and qemu's timers differ); the host's monotonic clock seen at the console
is the one source both runners share.

Usage: marktime.py OUTFILE MARKER[,MARKER...] CMD [ARGS...]
Prints two lines: the wall-clock seconds to each marker, then to the end, separated by
spaces; then the CPU seconds (user + system, all threads, from /proc) the command had used
at the same points, the steadier figure on a loaded machine (10 ms ticks).
Exit status: the command's (128+N if it died of signal N); 1 if a marker never came.
"""
import os
import subprocess
import sys
import time

TICK = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    """User + system seconds of process pid so far (0 once it is gone)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, markers, cmd = sys.argv[1], sys.argv[2].split(','), sys.argv[3:]
    seen, cpu = [], []
    with open(out_path, 'wb') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        for line in proc.stdout:
            now = time.perf_counter()
            out.write(line)
            if len(seen) < len(markers) and markers[len(seen)].encode() in line:
                seen.append(now - start)
                cpu.append(cpu_seconds(proc.pid))
        _, status, usage = os.wait4(proc.pid, 0)
        seen.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
        rc = os.waitstatus_to_exitcode(status)
    if len(seen) <= len(markers):
        print(f'marktime: {markers[len(seen) - 1]!r} never came on the console', file=sys.stderr)
        return 1
    print(' '.join(f'{t:.6f}' for t in seen))
    print(' '.join(f'{t:.2f}' for t in cpu))
    return 128 - rc if rc < 0 else rc


if __name__ == '__main__':
    sys.exit(main())
