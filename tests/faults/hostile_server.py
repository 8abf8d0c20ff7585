#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A misbehaving HTTP server for otaflow's fault tests (127.0.0.1 only).

Files come from --dir. The first path segment picks a behaviour: GET /<behaviour>/<file> answers
for <file> in that misbehaving way; a path whose first segment is not a behaviour is served
correctly (HTTP/1.1, keep-alive, Content-Length, "Range: bytes=N-" answered with 206 or 416).

Healing: while the file <dir>/_healed/<behaviour> exists, that behaviour serves its file
correctly, so a test switches the server back to good behaviour without restarting it.
Every request is logged to <dir>/_log/<behaviour> as "<path> range=<value or ->".

Prints "Hostile HTTP on 127.0.0.1 port <port>" once listening.
"""
import argparse
import os
import socket
import socketserver
import sys
import threading
import time

CRLF = b"\r\n"


def free_port():
    """A port with nothing listening on it (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Conn:
    """One accepted connection: request reading and the ways of answering."""

    def __init__(self, sock, root, closed_port):
        self.sock = sock
        self.root = root
        self.closed_port = closed_port
        self.pending = b""

    # ---- reading ----------------------------------------------------------------------------
    def read_request(self):
        while b"\r\n\r\n" not in self.pending:
            if len(self.pending) > 16384:
                return None
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.pending += chunk
        head, self.pending = self.pending.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return None
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return parts[1], headers

    def wait_closed(self, limit_s=30.0):
        """Hold the connection open, saying nothing, until the client goes away."""
        self.sock.settimeout(limit_s)
        try:
            while self.sock.recv(4096):
                pass
        except OSError:
            pass

    # ---- writing ----------------------------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def reset(self):
        """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()

    def head(self, code, reason, headers=(), length=None):
        out = [b"HTTP/1.1 %d %s" % (code, reason.encode())]
        if length is not None:
            out.append(b"Content-Length: %d" % length)
        for k, v in headers:
            out.append(("%s: %s" % (k, v)).encode())
        return CRLF.join(out) + CRLF + CRLF

    def file(self, name):
        path = os.path.realpath(os.path.join(self.root, name.lstrip("/")))
        if not path.startswith(self.root + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def serve(self, name, headers):
        """Answer correctly. Returns True: the connection may take another request."""
        data = self.file(name)
        if data is None:
            self.send(self.head(404, "Not Found", length=0))
            return True
        rng = headers.get("range", "")
        if rng.startswith("bytes=") and rng.endswith("-"):
            first = int(rng[6:-1])
            if first >= len(data):
                self.send(self.head(416, "Range Not Satisfiable",
                                    [("Content-Range", "bytes */%d" % len(data))], 0))
                return True
            self.send(self.head(206, "Partial Content",
                                [("Content-Range", "bytes %d-%d/%d" % (first, len(data) - 1,
                                                                      len(data)))],
                                len(data) - first) + data[first:])
            return True
        self.send(self.head(200, "OK", length=len(data)) + data)
        return True


# ---- behaviours: each answers one request for file `name`, returns True to keep the
# connection for another request ----------------------------------------------------------------

def b_reset_header(c, name, h, data):
    c.send(b"HTTP/1.1 200 OK\r\nContent-Le")
    time.sleep(0.05)
    c.reset()


def b_reset_body(c, name, h, data):
    c.send(c.head(200, "OK", length=len(data)) + data[:len(data) // 2])
    time.sleep(0.05)
    c.reset()


def b_short_body(c, name, h, data):
    c.send(c.head(200, "OK", length=len(data)) + data[:len(data) // 2])


def b_long_body(c, name, h, data):
    c.send(c.head(200, "OK", length=len(data)) + data + b"\0" * 100)


def b_no_length_close(c, name, h, data):
    c.send(c.head(200, "OK", [("Connection", "close")]) + data)


def b_no_length_truncated(c, name, h, data):
    c.send(c.head(200, "OK", [("Connection", "close")]) + data[:len(data) // 2])


def chunked(bad_size):
    def answer(c, name, h, data):
        c.send(c.head(200, "OK", [("Transfer-Encoding", "chunked")]))
        c.send(b"%x\r\n%s\r\n" % (100, data[:100]))
        c.send(bad_size + CRLF + data[100:200] + CRLF + b"0\r\n\r\n")
        c.wait_closed(5)
    return answer


def b_chunk_longer_than_size(c, name, h, data):
    c.send(c.head(200, "OK", [("Transfer-Encoding", "chunked")]))
    c.send(b"10\r\n" + data[:100] + b"\r\n0\r\n\r\n")
    c.wait_closed(5)


def endless(c, first, limit=16 << 20):
    """Send `first`, then zeros until the client leaves (or `limit` bytes)."""
    try:
        c.send(first)
        sent = 0
        while sent < limit:
            c.send(b"\0" * 65536)
            sent += 65536
    except OSError:
        pass


def b_length_5gb(c, name, h, data):
    endless(c, c.head(200, "OK", length=5 * 1024 ** 3) + data)


def b_headers_64k(c, name, h, data):
    pad = b"".join(b"X-Pad-%04d: %s\r\n" % (i, b"a" * 48) for i in range(1100))
    endless(c, b"HTTP/1.1 200 OK\r\n" + pad + b"Content-Length: %d\r\n\r\n" % len(data) + data)


def b_header_line_64k(c, name, h, data):
    endless(c, b"HTTP/1.1 200 OK\r\nX-Big: " + b"b" * 65536 + b"\r\n\r\n" + data)


def b_header_no_crlf(c, name, h, data):
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d" % len(data))


def b_lf_only(c, name, h, data):
    c.send(b"HTTP/1.1 200 OK\nContent-Length: %d\nConnection: close\n\n" % len(data) + data)


def raw(first):
    def answer(c, name, h, data):
        c.send(first)
    return answer


def b_http09(c, name, h, data):
    c.send(data)  # a body with no status line at all


def b_trickle(c, name, h, data):
    """One byte per second, for as long as the client listens."""
    msg = c.head(200, "OK", length=len(data)) + data
    try:
        for i in range(len(msg)):
            c.send(msg[i:i + 1])
            time.sleep(1.0)
    except OSError:
        pass


def b_stall_headers(c, name, h, data):
    c.send(c.head(200, "OK", length=len(data)))
    c.wait_closed()


def b_stall_body(c, name, h, data):
    c.send(c.head(200, "OK", length=len(data)) + data[:len(data) // 2])
    c.wait_closed()


def b_redirect_loop(c, name, h, data):
    c.send(c.head(302, "Found", [("Location", "/redirect-loop/" + name)], 0))
    return True


def b_redirect_closed(c, name, h, data):
    loc = "http://127.0.0.1:%d/%s" % (c.closed_port, name)
    c.send(c.head(302, "Found", [("Location", loc)], 0))
    return True


def b_redirect_ftp(c, name, h, data):
    c.send(c.head(302, "Found", [("Location", "ftp://127.0.0.1/" + name)], 0))
    return True


def b_endless_interim(c, name, h, data):
    """"100 Continue" after "100 Continue", never a final answer."""
    try:
        for _ in range(3000):
            c.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)
    except OSError:
        pass


def status(code, reason, headers=()):
    def answer(c, name, h, data):
        body = b"%d %s\n" % (code, reason.encode())
        c.send(c.head(code, reason, headers, len(body)) + body)
        return True
    return answer


def b_range_200(c, name, h, data):
    """The first request drops mid-body; a Range request gets 200 and the whole file."""
    if "range" not in h:
        return b_short_body(c, name, h, data)
    c.send(c.head(200, "OK", length=len(data)) + data)
    return True


def b_range_wrong(c, name, h, data):
    """The first request drops mid-body; a Range request gets a 206 for other bytes."""
    if "range" not in h:
        return b_short_body(c, name, h, data)
    c.send(c.head(206, "Partial Content",
                  [("Content-Range", "bytes 0-%d/%d" % (len(data) - 1, len(data)))],
                  len(data)) + data)
    return True


def publish_next(root):
    """Move everything waiting in <root>/next/ into place, images before manifests (as an
    operator publishing a new release would). Returns False if nothing was waiting."""
    nxt = os.path.join(root, "next")
    moved = False
    for top, _, files in os.walk(nxt):
        for f in sorted(files, key=lambda f: f.endswith(".json")):
            rel = os.path.relpath(os.path.join(top, f), nxt)
            os.replace(os.path.join(nxt, rel), os.path.join(root, rel))
            moved = True
    return moved


def b_swap(c, name, h, data):
    """Serve the file as it was, having published what waits in <dir>/next/: the release changes
    while this device reads the manifest."""
    publish_next(c.root)
    c.send(c.head(200, "OK", [("Connection", "close")], len(data)) + data)


def b_swap_mid_body(c, name, h, data):
    """While something waits in <dir>/next/: half the body, the connection closes, and that is
    published (the file is replaced while this device downloads it). Then: served correctly."""
    if not os.path.isdir(os.path.join(c.root, "next")) or not any(
            files for _, _, files in os.walk(os.path.join(c.root, "next"))):
        return c.serve(name, h)
    b_short_body(c, name, h, data)
    publish_next(c.root)


BEHAVIOURS = {
    "reset-header": b_reset_header,
    "reset-body": b_reset_body,
    "short-body": b_short_body,
    "long-body": b_long_body,
    "no-length-close": b_no_length_close,
    "no-length-truncated": b_no_length_truncated,
    "chunk-size-hex": chunked(b"zz"),
    "chunk-size-overflow": chunked(b"fffffffffffffffffff"),
    "chunk-size-negative": chunked(b"-64"),
    "chunk-longer-than-size": b_chunk_longer_than_size,
    "length-5gb": b_length_5gb,
    "headers-64k": b_headers_64k,
    "header-line-64k": b_header_line_64k,
    "header-no-crlf": b_header_no_crlf,
    "lf-only": b_lf_only,
    "status-ssh": raw(b"SSH-2.0-OpenSSH_9.6\r\n"),
    "status-binary": raw(bytes(range(256)) * 4),
    "status-http09": b_http09,
    "status-bad-code": raw(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"),
    "status-version": raw(b"HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n"),
    "trickle": b_trickle,
    "stall-headers": b_stall_headers,
    "stall-body": b_stall_body,
    "redirect-loop": b_redirect_loop,
    "redirect-closed": b_redirect_closed,
    "redirect-ftp": b_redirect_ftp,
    "endless-interim": b_endless_interim,
    "status-500": status(500, "Internal Server Error"),
    "status-503": status(503, "Service Unavailable", [("Retry-After", "1")]),
    "range-200": b_range_200,
    "range-wrong": b_range_wrong,
    "swap": b_swap,
    "swap-mid-body": b_swap_mid_body,
}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        c = Conn(self.request, srv.root, srv.closed_port)
        try:
            while True:
                req = c.read_request()
                if req is None:
                    return
                path, headers = req
                path = path.split("?", 1)[0]
                behaviour, _, name = path.lstrip("/").partition("/")
                if behaviour not in BEHAVIOURS:
                    srv.log("-", path, headers)
                    if not c.serve(path, headers):
                        return
                    continue
                srv.log(behaviour, path, headers)
                if os.path.exists(os.path.join(srv.root, "_healed", behaviour)):
                    c.serve(name, headers)
                    continue
                data = c.file(name)
                if data is None:
                    c.send(c.head(404, "Not Found", length=0))
                    continue
                if not BEHAVIOURS[behaviour](c, name, headers, data):
                    return
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def log(self, behaviour, path, headers):
        line = "%s range=%s\n" % (path, headers.get("range", "-"))
        with self.lock:
            with open(os.path.join(self.root, "_log", behaviour), "a") as f:
                f.write(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.root = os.path.realpath(args.dir)
    srv.closed_port = free_port()
    srv.lock = threading.Lock()
    os.makedirs(os.path.join(srv.root, "_log"), exist_ok=True)
    os.makedirs(os.path.join(srv.root, "_healed"), exist_ok=True)
    print("Hostile HTTP on 127.0.0.1 port %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
