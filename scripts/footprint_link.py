#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The linked footprint of the firmware images, read from GNU ld's link maps.

Every input section the linker placed in .text/.ARM.exidx (flash: code and constants),
.data (RAM, initial values in flash) or .bss/.handoff (RAM) is charged to the part it came
from: otaflow by src/ file, each library, libc/libgcc, the port, the program's own files.
What the map shows as fill, or the linker adds to align an output section, is padding (less
what merging equal strings saved: the map gives a string section its size before merging).
The sums are checked against the output sections' sizes, so nothing is left out.

The lean bootloader's variants (firmware/bootloader_lean.c, in FWDIR: make firmware's default
build) get tables of their own, and their -flto links a table of totals (LTO merges the
objects, so its map cannot charge code to parts).

  footprint_link.py render FWDIR FWDIR_BEARSSL   markdown tables for docs/footprint.md
  footprint_link.py check DOC FWDIR [FWDIR_BEARSSL]
      re-derives the figures of the images present and compares them with DOC's tables;
      exits 1 naming each stale figure (a missing FWDIR_BEARSSL skips its columns).
"""
import os
import re
import sys

# (column title, directory key, program): the images measured.
IMAGES = [
    ("bootloader, mbedTLS", "mbedtls", "bootloader"),
    ("bootloader, BearSSL", "bearssl", "bootloader"),
    ("example app, mbedTLS", "mbedtls", "example-app"),
    ("example app, BearSSL", "bearssl", "example-app"),
]
LEAN_IMAGES = [
    ("lean, BearSSL", "mbedtls", "bootloader-lean"),
    ("lean, mbedTLS", "mbedtls", "bootloader-lean-mbedtls"),
    ("lean, SHA-256 only", "mbedtls", "bootloader-lean-sha"),
    # The minimal variants (firmware/lean_core.cmake: OTA_BOOT_FACTORY_IMAGE, OTA_BOOT_TRIAL_BOOTS
    # and OTA_BOOT_REPAIR 0; "no guard": OTA_BOOT_GUARD 0 too).
    ("minimal, BearSSL", "mbedtls", "bootloader-lean-min"),
    ("minimal, no guard, BearSSL", "mbedtls", "bootloader-lean-min-noguard"),
    ("minimal, no guard, SHA-256 only", "mbedtls", "bootloader-lean-sha-min"),
    ("lean, HSS/LMS only", "mbedtls", "bootloader-lean-lms"),
    # The 8 KB candidates: minimal HSS/LMS only (no guard), and the overwrite-only installs
    # (OTA_BOOT_JOURNAL 0: the bootloader never writes the journal) of both.
    ("minimal, no guard, HSS/LMS only", "mbedtls", "bootloader-lean-lms-min"),
    ("overwrite-only, SHA-256 only", "mbedtls", "bootloader-lean-sha-overwrite"),
    ("overwrite-only, HSS/LMS only", "mbedtls", "bootloader-lean-lms-overwrite"),
]

# Issue 13's agent part: the example application on a core without status names
# (OTA_STATUS_STRINGS 0) and without the optional features (OTA_RAW_IMAGES, OTA_FILE_SLOTS,
# OTA_SIG_HSS_LMS, OTA_CONDITIONAL_GET, OTA_VERIFY_OVER_POLLS, OTA_FLEET, OTA_DELTA_PATCHES
# 0: firmware/CMakeLists.txt, ota_core_fw_nonames), linked as usual, and with -flto over the core alone
# (example-app-nonames-lto: every other library without its LTO form, firmware/CMakeLists.txt);
# then with those features at their default (example-app-nonames-features).
AGENT_IMAGES = [
    ("no names, mbedTLS", "mbedtls", "example-app-nonames"),
    ("no names, BearSSL", "bearssl", "example-app-nonames"),
    ("no names, core -flto, mbedTLS", "mbedtls", "example-app-nonames-lto"),
    ("no names, core -flto, BearSSL", "bearssl", "example-app-nonames-lto"),
    ("no names, optional features, mbedTLS", "mbedtls", "example-app-nonames-features"),
]
# The emulated board's bootloader on a core without decryption (OTA_BOOT_DECRYPT 0:
# bootloader-nodecrypt, firmware/CMakeLists.txt): what decryption costs is the difference from
# the first table's bootloaders. Its table of parts only.
NODECRYPT_IMAGES = [
    ("no decryption, mbedTLS", "mbedtls", "bootloader-nodecrypt"),
    ("no decryption, BearSSL", "bearssl", "bootloader-nodecrypt"),
]
# What an LTRANS object of example-app-nonames-lto holds: src/ alone, its modules merged.
LTO_CORE = "all of src/, optimised together (-flto)"

# The parts, in the order of the tables, and the archive (or object) each comes from.
PARTS = [
    # LTRANS objects: only in a link where the core alone has its LTO form (AGENT_IMAGES).
    ("otaflow (src/, by module below)", r"libota_core_\w+\.a\(|\.ltrans\.o\b"),
    ("mbedTLS (SHA-256, bignum, ECP, ECDSA verify, allocator; ECDH and AES where the image decrypts)", r"libmbedcrypto_fw\.a\("),
    ("BearSSL (SHA-256 but in the lean bootloaders, P-256, ECDSA verify, AES where the image decrypts; i31 big integers, the lean bootloader's i15)", r"libbearssl_fw(_i15)?\.a\("),
    ("lwIP (IPv4, TCP, DHCP; raw API)", r"libotaflow_lwip\.a\("),
    ("libc (newlib-nano; the lean bootloader's mem* byte loops, port/cortex-m/mem_small.c)", r"/libc(_nano)?\.a\(|libcm_mem_small\.a\("),
    ("libgcc", r"/libgcc\.a\("),
    ("port: Cortex-M (port/cortex-m: start-up, jump, semihosting, UART, watchdog, fmt, memory-mapped NOR)", r"libcm_port\.a\("),
    ("port: network (port/cortex-m/net: LAN9118, netif, transport)", r"libotaflow_net\.a\("),
    ("port: emulated board (flash model, its write-through, settings, system port)", r"libboard_an386(_nodecrypt)?\.a\("),
    ("the program (bootloader_main.c or bootloader_lean.c, its keys and crypto arena; the app's main, agent glue, events, requests)", r"CMakeFiles/"),
    ("padding, less the bytes saved by merging equal strings", None),
]
PADDING = PARTS[-1][0]
KIND = {".text": 0, ".ARM.exidx": 0, ".data": 1, ".bss": 2, ".handoff": 2}


def parse_map(path):
    """Returns (parts, modules, sections, objects): {part: [text, data, bss]}, {src file: [...]},
    {output section: size}, {the program's RAM object: size}."""
    parts = {name: [0, 0, 0] for name, _ in PARTS}
    modules = {}
    sections = {}
    objects = {}
    inputs = [0, 0, 0]
    out = None
    pending = None
    started = False

    def charge(name, size, where):
        kind = KIND[out]
        inputs[kind] += size
        if where is None:
            parts[PADDING][kind] += size
            return
        for part, pattern in PARTS:
            if pattern and re.search(pattern, where):
                parts[part][kind] += size
                if kind and pattern == r"CMakeFiles/":
                    key = re.sub(r"^\.(bss|data)\.", "", name)
                    objects[key] = objects.get(key, 0) + size
                m = re.search(r"libota_core_\w+\.a\((.+)\.obj\)", where)
                if m or re.search(r"\.ltrans\.o\b", where):
                    module = m.group(1) if m else LTO_CORE
                    modules.setdefault(module, [0, 0, 0])[kind] += size
                return
        raise SystemExit(f"footprint_link: {path}: no part for {where} ({name})")

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not started:
                started = line.startswith("Linker script and memory map")
                continue
            m = re.match(r"^(\.\S+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?", line)
            if m:
                out = m.group(1) if m.group(1) in KIND else None
                if m.group(3):
                    sections[m.group(1)] = int(m.group(3), 16)
                pending = None
                continue
            if out is None:
                continue
            m = re.match(r"^ \*fill\*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", line)
            if m:
                charge("*fill*", int(m.group(1), 16), None)
                continue
            m = re.match(r"^ (\.\S+|COMMON)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if m:
                charge(m.group(1), int(m.group(2), 16), m.group(3))
                continue
            m = re.match(r"^ (\.\S+|COMMON)$", line)
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if m and pending:
                charge(pending, int(m.group(1), 16), m.group(2))
            pending = None
    totals = [0, 0, 0]
    for sec, size in sections.items():
        if sec in KIND:
            totals[KIND[sec]] += size
    # What the linker added to align an output section's end, less what it saved by merging
    # equal strings (the map gives a merged string section its size before merging).
    for kind in range(3):
        parts[PADDING][kind] += totals[kind] - inputs[kind]
    return parts, modules, sections, objects


def num(n):
    return f"{n:,}"


def cell(tdb):
    return "–" if tdb is None or not any(tdb) else " / ".join(num(v) for v in tdb)


def load(dirs, images=IMAGES):
    """{column title: (parts, modules, sections, objects)} for the images whose map exists."""
    found = {}
    for title, key, prog in images:
        d = dirs.get(key)
        path = d and os.path.join(d, prog + ".map")
        if path and os.path.exists(path):
            found[title] = parse_map(path)
    return found


def lto_totals(path):
    """[text, data, bss] of an image linked with -flto, from its map's output sections."""
    sizes = {}
    started = False
    with open(path) as f:
        for line in f:
            if not started:
                started = line.startswith("Linker script and memory map")
                continue
            m = re.match(r"^(\.\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", line)
            if m and m.group(1) in KIND:
                sizes[m.group(1)] = int(m.group(2), 16)
    return [sum(v for k, v in sizes.items() if KIND[k] == kind) for kind in range(3)]


def group_tables(found, images, suffix):
    """[(table title, header, rows)] of one group of images: rows are (label, [cell per
    image column]); suffix tells the group's tables apart (their first header cell)."""
    cols = [t for t, _, _ in images]
    found = {c: found[c] for c in cols if c in found}
    get = lambda title, fn: fn(found[title]) if title in found else None  # noqa: E731
    part_rows = []
    for part, _ in PARTS:
        cells = [get(c, lambda f, p=part: f[0][p]) for c in cols]
        if any(x and any(x) for x in cells):
            part_rows.append((part, [cell(x) if x is not None else None for x in cells]))

    def total(f):
        return [sum(v[k] for v in f[0].values()) for k in range(3)]
    part_rows.append(("**total**", [cell(get(c, total)) if c in found else None for c in cols]))
    part_rows.append(("main stack, reserved (not in bss above)",
                      [num(found[c][2].get(".stack", 0)) if c in found else None for c in cols]))
    mods = sorted({m for f in found.values() for m in f[1]})
    mod_rows = [(m,
                 [cell(found[c][1].get(m)) if c in found else None for c in cols]) for m in mods]
    objs = sorted({o for f in found.values() for o in f[3]})
    obj_rows = [(f"`{o}`", [(num(found[c][3][o]) if o in found[c][3] else "–") if c in found else None
                             for c in cols]) for o in objs]
    return [("parts" + suffix, ["part" + suffix] + cols, part_rows),
            ("modules" + suffix, ["src/ file" + suffix] + cols, mod_rows),
            ("program objects" + suffix, ["program's object (RAM)" + suffix] + cols, obj_rows)]


def tables(found, lean_dir=None, bearssl_dir=None):
    """The tables of the four images, then the lean bootloader's and its -flto totals, then
    the agent part's, then the parts of the bootloader without decryption."""
    out = group_tables(found, IMAGES, "")
    if lean_dir is None:
        return out
    out += group_tables(load({"mbedtls": lean_dir}, LEAN_IMAGES), LEAN_IMAGES, " (lean bootloader)")
    rows = []
    for title, _, prog in LEAN_IMAGES:
        path = os.path.join(lean_dir, prog + "-lto.map")
        if os.path.exists(path):
            rows.append((title, [cell(lto_totals(path))]))
    out.append(("-flto", ["lean bootloader linked with -flto", "text / data / bss"], rows))
    agent = load({"mbedtls": lean_dir, "bearssl": bearssl_dir}, AGENT_IMAGES)
    out += group_tables(agent, AGENT_IMAGES, " (agent part)")
    nodecrypt = load({"mbedtls": lean_dir, "bearssl": bearssl_dir}, NODECRYPT_IMAGES)
    out += group_tables(nodecrypt, NODECRYPT_IMAGES, " (bootloader without decryption)")[:1]
    return out


def render(found, lean_dir, bearssl_dir):
    for _, header, rows in tables(found, lean_dir, bearssl_dir):
        print("| " + " | ".join(header) + " |")
        print("|---|" + "---:|" * (len(header) - 1))
        for label, cells in rows:
            print("| " + " | ".join([label] + [c if c is not None else "?" for c in cells]) + " |")
        print()


def doc_rows(doc, first_header):
    """{label: [cells]} of the table of DOC whose header starts with first_header."""
    rows, header, inside = {}, None, False
    for line in doc.splitlines():
        if line.startswith("| " + first_header + " |"):
            header, inside = [c.strip() for c in line.strip("|").split("|")], True
            continue
        if inside:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not cells[0].startswith("---"):
                rows[cells[0]] = dict(zip(header[1:], cells[1:]))
    return header, rows


def check(doc_path, found, lean_dir, bearssl_dir=None):
    with open(doc_path) as f:
        doc = f.read()
    stale = []
    compared = 0
    for name, header, rows in tables(found, lean_dir, bearssl_dir):
        doc_header, have = doc_rows(doc, header[0])
        if doc_header is None:
            stale.append(f"{doc_path} has no table of {name} (header '{header[0]}')")
            continue
        labels = {label for label, _ in rows}
        for label, cells in rows:
            for col, want in zip(header[1:], cells):
                if want is None:
                    continue
                got = have.get(label, {}).get(col, "–")
                compared += 1
                if got != want:
                    stale.append(f"{name}: '{label}', {col}: doc says {got}, the build gives {want}")
        present = [col for i, col in enumerate(header[1:])
                   if any(cells[i] is not None for _, cells in rows)]
        for label, cells in have.items():  # a part or module the build no longer links
            if label in labels:
                continue
            for col in present:
                if cells.get(col, "–") != "–":
                    stale.append(f"{name}: '{label}', {col}: doc says {cells.get(col)}, the build links none")
    for s in stale:
        print("stale: " + s)
    print(f"footprint_link: {compared} figures of {len(found)} images compared, {len(stale)} stale")
    return 1 if stale else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "render":
        found = load({"mbedtls": argv[1], "bearssl": argv[2]})
        if len(found) != len(IMAGES):
            raise SystemExit("footprint_link: render needs all four maps (make firmware, both backends)")
        render(found, argv[1], argv[2])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        found = load({"mbedtls": argv[2], "bearssl": argv[3] if len(argv) > 3 else None})
        if "bootloader, mbedTLS" not in found or "example app, mbedTLS" not in found:
            raise SystemExit(f"footprint_link: no link maps in {argv[2]} (make firmware)")
        return check(argv[1], found, argv[2], argv[3] if len(argv) > 3 else None)
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
