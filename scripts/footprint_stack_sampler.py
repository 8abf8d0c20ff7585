#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads a painted stack out of a running QEMU through its monitor socket, every 50 ms, until
QEMU goes away; writes the deepest use seen (bytes below the top no longer painted) to OUT.
A read whose lowest word is not the paint is left out: the program has not painted its stack
yet (QEMU's RAM starts zeroed), or it overflowed. scripts/footprint_app_stack.sh starts it.

  footprint_stack_sampler.py SOCKET BOTTOM SIZE PAINT OUT
"""
import os
import socket
import struct
import sys
import time


def main(sock_path, bottom, size, paint, out):
    dump = out + ".bin"
    for _ in range(100):  # QEMU creates the socket as it starts
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.05)
    else:
        return
    s.settimeout(2)
    deepest = None
    try:
        while True:
            s.sendall(f"pmemsave {bottom} {size} \"{dump}\"\n".encode())
            time.sleep(0.05)
            reply = s.recv(65536)
            if not reply:
                break
            try:
                with open(dump, "rb") as f:
                    words = struct.unpack(f"<{size // 4}I", f.read(size))
            except (OSError, struct.error):
                continue
            if words[0] != paint:
                continue
            unused = next((i for i, w in enumerate(words) if w != paint), len(words))
            used = size - 4 * unused
            if deepest is None or used > deepest:
                deepest = used
                with open(out, "w") as f:
                    f.write(f"{deepest}\n")
    except OSError:
        pass
    if os.path.exists(dump):
        os.remove(dump)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], int(a[1], 0), int(a[2], 0), int(a[3], 0), a[4])
