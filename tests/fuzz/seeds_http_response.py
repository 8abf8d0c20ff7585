# SPDX-License-Identifier: Apache-2.0
"""Seeds of fuzz_http_response from the corpus of fuzz_http: the server stream of each input
(fuzz_http's flags byte and chunk sizes dropped) behind the response target's own flags byte
(pieces of 16 bytes, no stop, the stream ends after the last byte). Named seeds keep their
name; the others are named by the SHA-1 of their new content, as libFuzzer names inputs.

usage: seeds_http_response.py <corpus/http> <corpus/http_response>
"""
import hashlib
import os
import re
import sys

FLAGS = 0x80 | 5  # finish at the end; pieces of 16 bytes


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as f:
            data = f.read()
        if not data:
            continue
        k = data[0] >> 5
        seed = bytes([FLAGS]) + data[1 + k:]
        if re.fullmatch(r"[0-9a-f]{40}", name):
            name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(dst, name), "wb") as f:
            f.write(seed)
        n += 1
    print(f"seeds_http_response: {n} seeds from {src}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
