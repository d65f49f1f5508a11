#!/usr/bin/env python3
"""Static figures of the JIT's translated code, for docs/performance.md: reads a
`vm run --log=in_asm,out_asm --log-file=LOG` log and prints, per guest instruction, the host
instructions of the blocks (all, with the out-of-line exit, memory and interrupt stubs, and
those of the inline path up to the block's exit jump), and of the inline path: guest-state
loads and stores ([r14 + ...]), guest-memory range checks (cmp against r13), setcc/cmov
(flag and condition materialisation) and helper calls; and code bytes. With PERF (the output
of `perf script -F ip` for a `perf record -e cpu-clock` of the same run, which must also have
--perf-map), blocks are weighted by their samples, so the figures describe the code where the
time goes.

Usage: bench/codestats.py LOG [PERF_SCRIPT_OUTPUT]"""
import bisect
import re
import sys

HOST = re.compile(r"^  0x([0-9a-f]+):\s+(\S+)\s*(.*)$")


def blocks(path):
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("IN: "):
                if cur:
                    yield cur
                cur = {"guest": 0, "host": [], "size": 0}
            elif cur is None:
                continue
            elif line.startswith("OUT: "):
                m = re.search(r"size=(\d+)", line)
                cur["size"] = int(m.group(1)) if m else 0
                cur["out"] = True
            elif not cur.get("out") and re.match(r"^  0x[0-9a-f]+:", line):
                cur["guest"] += 1
            elif cur.get("out"):
                m = HOST.match(line)
                if m:
                    cur["host"].append((int(m.group(1), 16), m.group(2), m.group(3)))
    if cur:
        yield cur


def inline_path(insns):
    """The instructions up to the block's first unconditional jmp (its exit), without the
    alignment nops: what runs when no exit is taken early and no slow path is."""
    out = []
    for insn in insns:
        if insn[1] == "nop":
            continue
        out.append(insn)
        if insn[1] == "jmp":
            break
    return out


def classify(insns):
    c = {"host": 0, "inline": len(inline_path(insns)), "state_ld": 0, "state_st": 0,
         "mem_check": 0, "setcc": 0, "call": 0}
    for _, mn, ops in inline_path(insns):
        if mn.startswith("mov") and "[r14" in ops.split(",")[0]:
            c["state_st"] += 1
        elif mn.startswith("mov") and "[r14" in ops:
            c["state_ld"] += 1
        if mn == "cmp" and ops.endswith("r13"):
            c["mem_check"] += 1
        if mn.startswith("set") or mn.startswith("cmov"):
            c["setcc"] += 1
        if mn == "call":
            c["call"] += 1
    c["host"] = len(insns)
    return c


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bl = [b for b in blocks(sys.argv[1]) if b["guest"] and b["host"]]
    weights = [1.0] * len(bl)
    if len(sys.argv) > 2:
        starts = sorted((b["host"][0][0], b["host"][-1][0] + 16, i) for i, b in enumerate(bl))
        keys = [s[0] for s in starts]
        counts = [0] * len(bl)
        with open(sys.argv[2]) as f:
            for line in f:
                try:
                    ip = int(line.split()[0], 16)
                except (ValueError, IndexError):
                    continue
                k = bisect.bisect_right(keys, ip) - 1
                if k >= 0 and ip < starts[k][1]:
                    counts[starts[k][2]] += 1
        # samples ~ executions x host instructions: executions ~ samples / host size
        weights = [counts[i] / len(b["host"]) for i, b in enumerate(bl)]
        print(f"samples in translated code: {sum(counts)}")
    tot = {}
    guest = 0.0
    size = 0.0
    for w, b in zip(weights, bl):
        guest += w * b["guest"]
        size += w * b["size"]
        for k, v in classify(b["host"]).items():
            tot[k] = tot.get(k, 0.0) + w * v
    if not guest:
        sys.exit("codestats: no blocks (or no samples in them)")
    print(f"blocks: {len(bl)}")
    print(f"per guest instruction: host instructions {tot['host'] / guest:.2f} "
          f"({tot['inline'] / guest:.2f} on the inline path, which the rest count), "
          f"bytes {size / guest:.1f}, state loads {tot['state_ld'] / guest:.2f}, "
          f"state stores {tot['state_st'] / guest:.2f}, "
          f"memory checks {tot['mem_check'] / guest:.2f}, "
          f"setcc/cmov {tot['setcc'] / guest:.2f}, calls {tot['call'] / guest:.3f}")


main()
