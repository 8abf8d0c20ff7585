#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""HTTP/1.1 test server for otaflow's client tests (127.0.0.1 or ::1 only).

Serves files from --dir with keep-alive, Content-Length and single byte ranges, plus:
  /chunked/<file>    the file with Transfer-Encoding: chunked (seeded random chunk sizes,
                     chunk extensions, a trailer)
  /old/<file>        301 to the relative Location "../<file>"
  /abs/<file>        302 to the absolute Location http://<host>:<port>/<file>
  /short/<file>      Content-Length 100 bytes larger than the file, then the connection closes
  /stats             text "connections=<n>": TCP connections accepted so far
Prints "Serving HTTP on <addr> port <port>" on stdout once listening (port 0 = any free port).
"""
import argparse
import os
import random
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "otaflow-test/1"

    def log_message(self, fmt, *args):  # keep the test output quiet
        pass

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def _file(self, name):
        path = os.path.realpath(os.path.join(self.server.root, name.lstrip("/")))
        if not path.startswith(self.server.root + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _not_found(self):
        self._send(404, b"not found\n", [("Content-Type", "text/plain")])

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/stats":
            body = ("connections=%d\n" % self.server.connections).encode()
            return self._send(200, body, [("Content-Type", "text/plain")])
        if path.startswith("/old/"):
            return self._send(301, b"moved\n", [("Location", "../" + path[5:])])
        if path.startswith("/abs/"):
            host, port = self.server.server_address[:2]
            if ":" in host:
                host = "[" + host + "]"
            loc = "http://%s:%d/%s" % (host, port, path[5:])
            return self._send(302, b"", [("Location", loc)])
        if path.startswith("/chunked/"):
            return self._chunked(path[9:])
        if path.startswith("/short/"):
            data = self._file(path[7:])
            if data is None:
                return self._not_found()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data) + 100))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        data = self._file(path)
        if data is None:
            return self._not_found()
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            first = int(rng[6:-1])
            if first >= len(data):
                return self._send(416, b"", [("Content-Range", "bytes */%d" % len(data))])
            part = data[first:]
            return self._send(206, part, [
                ("Content-Range", "bytes %d-%d/%d" % (first, len(data) - 1, len(data)))])
        self._send(200, data, [("Content-Type", "application/octet-stream")])

    def _chunked(self, name):
        data = self._file(name)
        if data is None:
            return self._not_found()
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Trailer", "X-Test-Trailer")
        self.end_headers()
        rnd = random.Random(len(data))
        pos = 0
        out = []
        while pos < len(data):
            n = rnd.choice([1, 7, 100, 1000, 4096, 65536, rnd.randint(1, 20000)])
            piece = data[pos:pos + n]
            ext = ";ext=%d" % pos if rnd.random() < 0.3 else ""
            out.append(b"%x%s\r\n%s\r\n" % (len(piece), ext.encode(), piece))
            pos += len(piece)
        out.append(b"0\r\nX-Test-Trailer: done\r\n\r\n")
        self.wfile.write(b"".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
        daemon_threads = True

    srv = Server((args.bind, args.port), Handler)
    srv.root = os.path.realpath(args.dir)
    srv.connections = 0
    srv.lock = threading.Lock()
    print("Serving HTTP on %s port %d" % (args.bind, srv.server_address[1]), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
