"""A client of vm's control socket (docs/control.md) for the test scripts of every suite that
drives one: a JSON object a line each way. request() sends an object as the caller builds it
(the tests of the protocol's own errors need ids and members of their choosing); ask() numbers
the requests itself."""
import json
import os
import select
import socket
import subprocess
import time


class ControlClient:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b''
        self.id = 0

    def line(self):
        """The next line vm sends (a reply or an event), parsed."""
        while b'\n' not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError('control socket closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def send_raw(self, data):
        self.s.sendall(data)
        return self.line()

    def request(self, obj):
        return self.send_raw(json.dumps(obj).encode() + b'\n')

    def ask(self, cmd, **args):
        self.id += 1
        return self.request({'id': self.id, 'cmd': cmd, 'args': args})


class Machine:
    """A vm boot started with --control=sock_path added to cmd, its stdout read as it comes
    (out holds what has been read), its control socket connected once vm has made it."""

    def __init__(self, cmd, sock_path, timeout=30):
        self.sock_path = sock_path
        if os.path.exists(sock_path):
            os.unlink(sock_path)
        self.p = subprocess.Popen(cmd + [f'--control={sock_path}'], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.out = b''
        for _ in range(200):
            if os.path.exists(sock_path):
                break
            time.sleep(0.05)
        self.c = ControlClient(sock_path, timeout)

    def ask(self, cmd, **args):
        return self.c.ask(cmd, **args)

    def read_until(self, text, timeout=30):
        """Reads stdout until it holds text."""
        end = time.time() + timeout
        while text.encode() not in self.out:
            left = end - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise TimeoutError(f'no {text!r} in {self.out[-200:]!r}')
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError(f'vm ended before {text!r}: {self.out[-200:]!r}')
            self.out += chunk

    def drain(self, wait=0.2):
        """Everything stdout gets until it has been quiet for wait seconds."""
        while select.select([self.p.stdout], [], [], wait)[0]:
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                break
            self.out += chunk

    def finish(self, timeout=60):
        """Waits for vm to end: its status, all its stdout and its stderr."""
        rest, err = self.p.communicate(timeout=timeout)
        self.out += rest
        self.c.s.close()
        return self.p.returncode, self.out.decode(), err.decode()
