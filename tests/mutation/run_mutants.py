# SPDX-License-Identifier: Apache-2.0
"""Mutation check (make mutation): does the test suite notice a deliberate bug?

Each mutant below is one bug a plausible change could bring in, as one literal replacement
that must match exactly once in the current source. The script copies the repository's
files (tracked and untracked, not ignored ones) into a work directory, never touching the
user's tree, builds the copy as `make test` does (ASan+UBSan, Debug), runs the suite once
unmutated (it must pass, or the results would mean nothing), then for each mutant: applies
it, rebuilds (incrementally), runs the unit tests, then the rest of the suite, stopping at
the first failure, and restores the file. A mutant whose pattern is missing (the code moved
on) is an error, never skipped. Exit status: 0 when every mutant was caught, 1 otherwise.

Usage: run_mutants.py [--work DIR] [--jobs N] [--only NAME,...] [--no-baseline] [--list]
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

# name, file, what the bug is, literal text, its replacement
MUTANTS = [
    ("journal-readback", "src/journal.c",
     "journal read-back compare disabled",
     "if (memcmp(piece, store->record + done, n) != 0) {",
     "if (0 && memcmp(piece, store->record + done, n) != 0) {"),
    ("counter-not-raised", "src/store_boot.c",
     "security counter never raised (confirm keeps the old counter)",
     "if (security_counter > n->security_counter) {",
     "if (0 && security_counter > n->security_counter) {"),
    ("boot-skips-policy", "src/boot_copy.c",
     "bootloader ignores the image policy's verdict (signature, counter, hw id)",
     "if (pst != OTA_STORE_OK) {",
     "if (0 && pst != OTA_STORE_OK) {"),
    ("rollback-target-reused", "src/store.c",
     "rollback target not protected from reuse by a download",
     "slot == b->install_slot || slot == b->previous_slot;",
     "slot == b->install_slot;"),
    ("trials-never-run-out", "src/boot.c",
     "trial boots never run out (attempt counter ignored)",
     "if (b->attempts >= boot->config.max_attempts) {",
     "if (0 && b->attempts >= boot->config.max_attempts) {"),
    ("checkpoint-unaligned", "src/store.c",
     "download checkpoint offset not rounded down to its erase sector's start",
     "uint32_t offset = found ? sector.start - slot_addr : 0u;",
     "uint32_t offset = found ? store->dl.base : 0u;"),
    ("mount-oldest-record", "src/journal.c",
     "mount takes the oldest record instead of the newest",
     "if (!found || seq > best_seq) {",
     "if (!found || seq < best_seq) {"),
]

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def say(msg):
    print("mutation: " + msg, flush=True)


def repo_files():
    """Tracked and untracked-but-not-ignored files: what the user's suite would build."""
    out = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], check=True, capture_output=True).stdout
    return [f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(REPO, f))]


def sync_tree(tree):
    """Make tree hold the repository's files. A file is rewritten only if it differs (a fresh
    mtime, so make rebuilds what depends on it); unchanged files keep the build incremental."""
    files = repo_files()
    keep = set(files)
    for root, _, names in os.walk(tree):  # files the repository no longer has go too
        for name in names:
            path = os.path.join(root, name)
            if os.path.relpath(path, tree) not in keep:
                os.remove(path)
    for rel in files:
        src, dst = os.path.join(REPO, rel), os.path.join(tree, rel)
        with open(src, "rb") as f:
            data = f.read()
        if os.path.exists(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        shutil.copymode(src, dst)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def run(cmd, cwd, log):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT).returncode


def first_failed(build):
    path = os.path.join(build, "Testing", "Temporary", "LastTestsFailed.log")
    try:
        with open(path) as f:
            names = [line.strip().split(":", 1)[-1] for line in f if line.strip()]
    except OSError:
        return None
    return names[0] if names else None


def run_suite(build, jobs, log):
    """Unit tests first, then the rest; stop at the first failure. None if all passed,
    else the name of the (first) failed test."""
    for select in (["-R", "^unit_"], ["-E", "^unit_"]):
        failed_log = os.path.join(build, "Testing", "Temporary", "LastTestsFailed.log")
        if os.path.exists(failed_log):
            os.remove(failed_log)
        rc = run(["ctest", "--output-on-failure", "--stop-on-failure", "-j", str(jobs)] + select,
                 build, log)
        if rc != 0:
            return first_failed(build) or "(ctest failed, no test named)"
    return None


def tree_revision():
    """The commit the copied tree was, and whether it had uncommitted changes (the copy takes
    them too): scripts/tree_revision.sh."""
    out = subprocess.run(["bash", os.path.join(REPO, "scripts", "tree_revision.sh")],
                         capture_output=True, text=True).stdout.strip()
    return out or "?"


def record_in_docs(table, survivors):
    """The whole run's table goes into docs/reliability.md, between its mutation markers."""
    doc = os.path.join(REPO, "docs", "reliability.md")
    begin, end = "<!-- mutation:begin -->\n", "<!-- mutation:end -->"
    try:
        with open(doc) as f:
            text = f.read()
    except OSError:
        return
    if begin not in text or end not in text:
        return
    rev = tree_revision()
    head, rest = text.split(begin, 1)
    verdict = "every mutant caught" if survivors == 0 else f"{survivors} NOT caught"
    body = (f"`make mutation` at commit `{rev}` ({verdict}; seconds: rebuild + tests until the "
            f"first failure, on the shared 2-core machine):\n\n" + table)
    write(doc, head + begin + body + end + rest.split(end, 1)[1])
    say("table written to docs/reliability.md")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default=os.path.join(REPO, "build-mutation"),
                    help="work directory (copy of the tree, its build, logs, report)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the unmutated run (only when you know the suite passes)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args()

    mutants = MUTANTS
    if args.only:
        wanted = args.only.split(",")
        unknown = [w for w in wanted if w not in [m[0] for m in MUTANTS]]
        if unknown:
            say("unknown mutant(s): " + ", ".join(unknown))
            return 2
        mutants = [m for m in MUTANTS if m[0] in wanted]
    if args.list:
        for name, path, what, _, _ in mutants:
            print(f"{name:24} {path:18} {what}")
        return 0

    work = os.path.abspath(args.work)
    if os.path.commonpath([work, REPO]) == REPO and not os.path.relpath(work, REPO).startswith("build"):
        say("the work directory must be outside the tree or a build* directory (ignored)")
        return 2
    tree, build = os.path.join(work, "tree"), os.path.join(work, "build")
    log = os.path.join(work, "mutation.log")
    os.makedirs(work, exist_ok=True)
    write(log, "")

    # Every pattern must match exactly once before anything is built.
    originals, problems = {}, []
    for name, path, _, old, _ in mutants:
        if path not in originals:
            with open(os.path.join(REPO, path)) as f:
                originals[path] = f.read()
        n = originals[path].count(old)
        if n != 1:
            problems.append(f"{name}: pattern found {n} times in {path} (must be once): {old!r}")
    if problems:
        for p in problems:
            say("PATTERN " + p)
        say("the code has drifted from the mutants: update tests/mutation/run_mutants.py")
        return 1

    say(f"copying the tree into {tree}")
    sync_tree(tree)
    for path, text in originals.items():  # fresh mtime: no object of an old mutant survives
        write(os.path.join(tree, path), text)
    t0 = time.monotonic()
    if run(["cmake", "-S", tree, "-B", build, "-DOTA_SANITIZE=ON", "-DCMAKE_BUILD_TYPE=Debug"],
           work, log) != 0 or run(["cmake", "--build", build, "-j", str(args.jobs)], work, log) != 0:
        say(f"the unmutated tree does not build (log: {log})")
        return 2
    if not args.no_baseline:
        say("unmutated suite (must pass)")
        failed = run_suite(build, args.jobs, log)
        if failed:
            say(f"the unmutated suite fails ({failed}): results would mean nothing (log: {log})")
            return 2
        say(f"unmutated suite passed in {time.monotonic() - t0:.0f} s")

    rows, survivors = [], 0
    for name, path, what, old, new in mutants:
        target = os.path.join(tree, path)
        write(target, originals[path].replace(old, new, 1))
        start = time.monotonic()
        try:
            if run(["cmake", "--build", build, "-j", str(args.jobs)], work, log) != 0:
                result, test = "DOES NOT BUILD", "-"
                survivors += 1
            else:
                test = run_suite(build, args.jobs, log)
                result = "caught" if test else "NOT CAUGHT"
                survivors += 0 if test else 1
                test = test or "-"
        finally:
            write(target, originals[path])
        secs = time.monotonic() - start
        rows.append((name, what, result, test, secs))
        say(f"{name}: {result} ({test}, {secs:.0f} s)")

    report = ["| mutant | bug | result | first failing test | seconds |", "|---|---|---|---|---:|"]
    report += [f"| `{n}` | {w} | {r} | `{t}` | {s:.0f} |" for n, w, r, t, s in rows]
    text = "\n".join(report) + "\n"
    write(os.path.join(work, "mutation-report.md"), text)
    print(text, end="")
    if not args.only:
        record_in_docs(text, survivors)
    say(f"{len(rows) - survivors} of {len(rows)} caught; report {work}/mutation-report.md, "
        f"log {log}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
