#!/usr/bin/env python3
"""virtio-net end to end (tests/system/virtio_net.c): vm boots the bare-metal driver with
user networking; the guest connects to a TCP server here (its port passed in the bootargs),
sends "ping\\n" and must get "pong\\n", and a client here connects through hostfwd to the
guest's port 80, must receive "hello from guest\\n" and answers "bye\\n". Prints PASS or FAIL.

Usage: net_test.py LABEL VM KERNEL [vm boot options...]"""
import socket
import subprocess
import sys
import threading
import time

label, vm, kernel = sys.argv[1:4]
extra = sys.argv[4:]
got = {}


def serve(server):
    server.settimeout(20)
    try:
        conn, _ = server.accept()
        conn.settimeout(20)
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(100)
            if not chunk:
                break
            data += chunk
        got["server"] = data
        conn.sendall(b"pong\n")
        time.sleep(0.5)
        conn.close()
    except OSError as e:
        got["server"] = repr(e).encode()


def forward(port):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=20)
            break
        except OSError:
            time.sleep(0.1)
    else:
        got["client"] = b"no connection"
        return
    try:
        data = b""
        while not data.endswith(b"\n"):
            chunk = c.recv(100)
            if not chunk:
                break
            data += chunk
        got["client"] = data
        c.sendall(b"bye\n")
        time.sleep(0.5)
        c.close()
    except OSError as e:
        got["client"] = repr(e).encode()


server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
port = server.getsockname()[1]
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
fwd_port = probe.getsockname()[1]
probe.close()
threads = [threading.Thread(target=serve, args=(server,)),
           threading.Thread(target=forward, args=(fwd_port,))]
proc = subprocess.Popen([vm, "boot", "--bios=none", "--kernel=" + kernel,
                         "--net=user,hostfwd=tcp:127.0.0.1:%d-:80" % fwd_port,
                         "--append=port=%d" % port] + extra,
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
for t in threads:
    t.start()
try:
    out, err = proc.communicate(timeout=30)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
for t in threads:
    t.join(25)
want = {"server": b"ping\n", "client": b"hello from guest\n"}
if proc.returncode == 0 and out == b"virtio-net ok\n" and not err and \
        all(got.get(k) == v for k, v in want.items()):
    print("PASS system/%s" % label)
else:
    print("FAIL system/%s: status %s, stdout %r, stderr %r, host saw %r" %
          (label, proc.returncode, out, err, got))
