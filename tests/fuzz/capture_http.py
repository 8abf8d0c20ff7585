#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Seeds for target http (issue 7): real answers of python3 -m http.server and nginx.

Starts both servers on 127.0.0.1 (free ports, private temporary directories and config),
sends raw requests over a plain socket, and writes every byte each server sent back as one
corpus file: the fuzz input header of fuzz_http.c (flags byte, chunk sizes) + the stream.

usage: capture_http.py <corpus dir>     (normally tests/fuzz/corpus/http)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

# fuzz_http.c input header: flags (bits 0-1 range_from index: 0, 1, 100, 4096;
# bits 5-7 number of chunk sizes that follow), then the sizes (n + 1 bytes each recv).
RANGE_INDEX = {0: 0, 1: 1, 100: 2, 4096: 3}


def header(range_from=0, chunks=()):
    return bytes([RANGE_INDEX[range_from] | (len(chunks) << 5)] + [c - 1 for c in chunks])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.025)
    raise RuntimeError("server did not start")


def exchange(port, requests):
    """Send the requests back to back on one connection; return all bytes until EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"".join(requests))
        out = b""
        while True:
            data = s.recv(65536)
            if not data:
                return out
            out += data


def get(path, host, extra=b"", close=True):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nUser-Agent: otaflow/0.1.0\r\n"
            + extra + (b"Connection: close\r\n" if close else b"") + b"\r\n")


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    root = tempfile.mkdtemp(prefix="otaflow-capture-")
    procs = []
    try:
        www = os.path.join(root, "www")
        os.makedirs(os.path.join(www, "dir"))
        # A small file with all byte values, like an image, and a second one in a directory.
        with open(os.path.join(www, "app.ota"), "wb") as f:
            f.write(bytes(range(256)) * 2)
        with open(os.path.join(www, "dir", "v2.ota"), "wb") as f:
            f.write(b"OTAF" + bytes(60))

        py_port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "http.server", str(py_port), "--bind", "127.0.0.1",
             "--directory", www], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(py_port, procs[-1])

        ngx_port = free_port()
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1;
pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off; client_body_temp_path {root}/cb; proxy_temp_path {root}/px;
  fastcgi_temp_path {root}/fc; uwsgi_temp_path {root}/uw; scgi_temp_path {root}/sc;
  types {{ application/octet-stream ota; }}
  server {{
    listen 127.0.0.1:{ngx_port}; root {www}; autoindex on;
    location = /moved {{ return 302 /app.ota; }}
    location = /elsewhere {{ return 301 http://127.0.0.1:{ngx_port}/dir/v2.ota; }}
  }}
}}
""")
        procs.append(subprocess.Popen(["nginx", "-c", conf, "-p", root],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(ngx_port, procs[-1])

        cases = []
        for name, port in (("python", py_port), ("nginx", ngx_port)):
            host = b"127.0.0.1:%d" % port
            cases += [
                (f"{name}-200", 0, [get(b"/app.ota", host)]),
                (f"{name}-206", 100, [get(b"/app.ota", host, b"Range: bytes=100-\r\n")]),
                (f"{name}-206-last", 1, [get(b"/app.ota", host, b"Range: bytes=1-\r\n")]),
                (f"{name}-416", 4096, [get(b"/app.ota", host, b"Range: bytes=4096-\r\n")]),
                (f"{name}-404", 0, [get(b"/missing.ota", host)]),
                (f"{name}-dir-redirect", 0, [get(b"/dir", host)]),
                (f"{name}-dir-listing", 0, [get(b"/dir/", host)]),
            ]
            # Keep-alive: a redirect and the request it leads to, on one connection.
            cases.append((f"{name}-redirect-then-200", 0,
                          [get(b"/dir", host, close=False), get(b"/dir/v2.ota", host)]))
        host = b"127.0.0.1:%d" % ngx_port
        cases += [
            ("nginx-302-then-200", 0, [get(b"/moved", host, close=False), get(b"/app.ota", host)]),
            ("nginx-301-absolute-then-200", 0,
             [get(b"/elsewhere", host, close=False), get(b"/dir/v2.ota", host)]),
            ("nginx-200-200", 0, [get(b"/dir/v2.ota", host, close=False), get(b"/dir/v2.ota", host)]),
        ]
        for name, range_from, reqs in cases:
            stream = exchange(int(reqs[0].split(b"Host: 127.0.0.1:")[1].split(b"\r")[0]), reqs)
            # Whole recvs, and again in small uneven pieces.
            for suffix, chunks in (("", ()), ("-chunked", (1, 7, 64))):
                with open(os.path.join(out_dir, name + suffix), "wb") as f:
                    f.write(header(range_from, chunks) + stream)
            print(f"capture: {name}: {len(stream)} bytes")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
