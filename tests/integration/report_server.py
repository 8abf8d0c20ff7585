#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The fleet's report collector for the board tests: python's http.server on 127.0.0.1 that
answers every POST with 204 and appends its body, one line each, to --out."""
import argparse
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(self.server.out, "ab") as f:
            f.write(self.path.encode() + b" " + body + b"\n")
        self.send_response(204)
        self.end_headers()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    server = HTTPServer(("127.0.0.1", args.port), Handler)
    server.out = args.out
    server.serve_forever()


if __name__ == "__main__":
    main()
