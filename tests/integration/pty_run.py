#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run a command on a pseudo-terminal, as if a user ran it in a terminal window.

usage: pty_run.py OUTPUT COMMAND [ARG...]
Everything the command writes (stdout and stderr, both the terminal) goes to OUTPUT byte for
byte, carriage returns and escape sequences included. Exits with the command's exit status.
"""
import os
import pty
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_path, cmd = sys.argv[1], sys.argv[2:]
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    with open(out_path, "wb") as out:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the command and everything it started closed the terminal
                break
            if not chunk:
                break
            out.write(chunk)
    os.close(master)
    sys.exit(proc.wait())


if __name__ == "__main__":
    main()
