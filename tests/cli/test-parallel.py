#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parallel analysis: --jobs N gives the same bytes as --jobs 1 (reports in
input order), and an mbox split at message boundaries by GNU parallel
(--pipepart --recstart 'From ') through `mailtrail analyze -` yields the
same set of reports, by message SHA-256, as the single run.

Usage: test-parallel.py MAILTRAIL SOURCE_ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

MT, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SAMPLES = os.path.join(ROOT, "samples")
GEN = os.path.join(ROOT, "tests", "bench", "gen-corpus.py")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1793491200")
tap = Tap()


def analyze(*args, stdin=None):
    return subprocess.run([MT, "analyze", "--format", "ndjson", "-q", *args],
                          input=stdin, capture_output=True, env=ENV)


def strip_position(value):
    """value without what depends on where the message was read from
    (path, index and offset of every "source", nested messages' too):
    what a split run changes."""
    if isinstance(value, list):
        return [strip_position(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if key == "source" and isinstance(v, dict):
            v = {k: x for k, x in v.items()
                 if k not in ("path", "index", "offset")}
        out[key] = strip_position(v)
    return out


work = tempfile.mkdtemp(prefix="mt-parallel-")
try:
    subprocess.run([sys.executable, GEN, work, "--size", "3", "--seed", "7"],
                   check=True, capture_output=True)
    corpus = os.path.join(work, "corpus.mbox")
    inputs = sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES)
                    if f.endswith((".eml", ".mbox"))) + [corpus]

    one = analyze("--jobs", "1", *inputs)
    tap.ok(one.returncode in (0, 1) and one.stdout.count(b"\n") > 100,
           "--jobs 1 analyzes the samples and the generated corpus",
           one.stderr.decode()[-500:])
    for jobs in (2, 3, 8):
        many = analyze("--jobs", str(jobs), *inputs)
        tap.ok(many.returncode == one.returncode,
               "--jobs %d: same exit code" % jobs, many.stderr.decode()[-500:])
        tap.ok(many.stdout == one.stdout,
               "--jobs %d: byte-identical NDJSON, in input order" % jobs)
    single = analyze("--jobs", "2", "--input-format", "mbox", "-",
                     stdin=open(corpus, "rb").read())
    tap.ok(single.stdout.count(b"\n") == sum(
        1 for line in open(corpus, "rb") if line.startswith(b"From ")),
        "--jobs 2 from stdin: one line per message")
    bad = subprocess.run([MT, "analyze", "--jobs", "0", corpus],
                         capture_output=True)
    tap.ok(bad.returncode == 2 and b"--jobs" in bad.stderr,
           "--jobs 0 is a usage error (exit 2)", bad.stderr.decode())

    # GNU parallel splitting one mbox at message boundaries.
    parallel = shutil.which("parallel")
    if parallel is None:
        tap.ok(False, "GNU parallel is installed (scripts/setup-deps)")
    else:
        # The generated corpus, and the sample mbox whose body has a
        # quoted ">From " line: without --recend, GNU parallel cuts at a
        # "From " anywhere, even after that ">".
        both = os.path.join(work, "both.mbox")
        with open(both, "wb") as f:
            f.write(open(corpus, "rb").read())
            f.write(open(os.path.join(SAMPLES, "mailbox.mbox"), "rb").read())
        single = analyze("--input-format", "mbox", "-",
                         stdin=open(both, "rb").read())
        ref = [json.loads(l) for l in single.stdout.splitlines()]
        split = subprocess.run(
            [parallel, "--will-cite", "--pipepart", "-a", both,
             "--recend", "\n", "--recstart", "From ", "--block", "200k",
             "-j", "2", MT, "analyze", "--format", "ndjson", "-q",
             "--input-format", "mbox", "-"],
            capture_output=True, env=ENV)
        got = [json.loads(l) for l in split.stdout.splitlines()]
        tap.ok(split.returncode in (0, 1), "parallel --pipepart run exits 0/1",
               split.stderr.decode()[-500:])
        tap.ok(len(got) == len(ref) and len(ref) > 100,
               "split run: as many reports as the single run (%d vs %d)" %
               (len(got), len(ref)))
        tap.ok(sorted(r["source"]["sha256"] for r in got) ==
               sorted(r["source"]["sha256"] for r in ref),
               "split run: the same set of message SHA-256")
        by_hash = {r["source"]["sha256"]: strip_position(r) for r in ref}
        same = sum(1 for r in got
                   if by_hash.get(r["source"]["sha256"]) == strip_position(r))
        tap.ok(same == len(ref),
               "split run: every report equal to the single run's apart from "
               "path, index and offset (%d of %d)" % (same, len(ref)))
finally:
    shutil.rmtree(work, ignore_errors=True)
tap.done()
