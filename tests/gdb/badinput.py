"""A raw client of vm's gdb stub for tests/gdb/run.sh. By default it sends garbage and
malformed packets: each must get an error or empty reply, or be ignored (a bad checksum gets
'-'), and the stub must then still answer a well-formed session that runs the program to its
exit. "run" only runs the program to its exit (for each spelling of --gdb); "interrupt"
continues the spinning program, sends Ctrl-C, expects a SIGINT stop and kills it with k.

Usage: badinput.py SOCKET_PATH|HOST:PORT [run [STATUS]|interrupt] (STATUS: the exit
status "run" expects, default 25). Exit status 0 if every reply was
as expected."""
import socket
import sys
import time


def frame(data: bytes) -> bytes:
    return b"$" + data + b"#%02x" % (sum(data) & 0xff)


class Stub:
    def __init__(self, where):
        if ":" in where:
            host, port = where.rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)), timeout=10)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(10)
            self.s.connect(where)
        self.buf = b""

    def read_packet(self) -> bytes:
        """The next packet's data, skipping acks."""
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start)
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                data = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.s.sendall(b"+")
                return data
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("the stub closed the connection")
            self.buf += chunk

    def ask(self, data: bytes) -> bytes:
        self.s.sendall(frame(data))
        return self.read_packet()


failures = 0


def expect(what, got, ok):
    global failures
    if not ok(got):
        print(f"{what}: unexpected reply {got[:80]!r}")
        failures += 1


stub = Stub(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "bad"
if mode == "run":
    expect("first query", stub.ask(b"?"), lambda r: r.startswith(b"T05thread:"))
    status = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    expect("continue", stub.ask(b"vCont;c"), lambda r: r == b"W%02x" % status)
    sys.exit(1 if failures else 0)
if mode == "interrupt":
    expect("first query", stub.ask(b"?"), lambda r: r.startswith(b"T05thread:"))
    stub.s.sendall(frame(b"vCont;c"))
    time.sleep(0.3)
    stub.s.sendall(b"\x03")
    expect("interrupt", stub.read_packet(), lambda r: r.startswith(b"T02thread:"))
    expect("registers after the interrupt", stub.ask(b"g"), lambda r: len(r) > 64)
    stub.s.sendall(frame(b"k"))
    sys.exit(1 if failures else 0)
# Noise outside packets, a bad checksum, an unterminated packet start: all skipped.
stub.s.sendall(b"garbage\x00\xff+-+" + b"$g#00" + b"$$$")
expect("first query", stub.ask(b"?"), lambda r: r.startswith(b"T05thread:"))
error = lambda r: r.startswith(b"E") or r == b""
for bad in [b"m", b"mzz,1", b"m0", b"m0,", b"m0,ffffffffffffffffff", b"m0,100000",
            b"M0,4:zz", b"M0,4:00", b"X0,1", b"p", b"pzz", b"p9999", b"P1=zz", b"P1=00",
            b"P9999=00", b"G00", b"Z0", b"Z0,", b"Z0,xyz,4", b"Z9,0,4", b"z0,1234,4",
            b"Z2,0,0", b"Z2,0,99", b"z2,10,4", b"Z3,0,0", b"Z4,0,99", b"z3,10,4", b"z4,10,4", b"Hgzz", b"Hg99999", b"Hx1", b"T0", b"Tzz",
            b"vCont;x", b"vCont;s:zz", b"vCont;c:9999;", b"vFoo", b"qXfer:features:read:other.xml:0,10",
            b"qXfer:features:read:target.xml:zz", b"qXfer:features:read:target.xml:ffffffff,10",
            b"Cqq", b"c1;2", b"sfoo", b"\x01\x02\x7f", b"}" + bytes(200)]:
    expect(f"packet {bad[:20]!r}", stub.ask(bad), lambda r: error(r) or r == b"l")
# Longer than the PacketSize the stub announced: refused with '-'.
stub.s.sendall(frame(b"q" * 5000))
while b"-" not in stub.buf:
    stub.buf += stub.s.recv(65536)
stub.buf = stub.buf.replace(b"-", b"", 1)
# The stub still works: the target description, registers, then run to the exit.
xml = b""
while True:
    part = stub.ask(b"qXfer:features:read:target.xml:%x,800" % len(xml))
    if part[:1] not in (b"m", b"l") or len(xml) > 100000:
        break
    xml += part[1:]
    if part[:1] == b"l":
        break
expect("target.xml", xml, lambda r: r.startswith(b"<?xml") and r.endswith(b"</target>"))
expect("registers", stub.ask(b"g"), lambda r: len(r) > 64 and all(c in b"0123456789abcdef" for c in r))
expect("continue", stub.ask(b"vCont;c"), lambda r: r == b"W19")
sys.exit(1 if failures else 0)
