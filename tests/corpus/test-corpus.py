#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Corpus suite: mailtrail over every file of the shared real-mail corpus.

Asserts: no crash (no signal, exit 0 or 3), every file gives at least one
report or a clear error naming it, every mbox gives as many reports as
count-mbox.py counts independently, with the same offsets, sizes and
SHA-256, and every report validates against the JSON schema when
jsonschema is available. Skips (exit 77) when the corpus is absent.

Usage: test-corpus.py MAILTRAIL COUNT_MBOX SCHEMA CORPUS_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

mt, count_mbox, schema_path, corpus = sys.argv[1:5]
mt = os.path.abspath(mt)
tap = Tap()
if not os.path.isdir(corpus):
    print(f"# corpus not found at {corpus}")
    sys.exit(77)

files = []
for dirpath, dirnames, filenames in os.walk(corpus):
    dirnames.sort()
    if os.path.relpath(dirpath, corpus).split(os.sep)[0] == "LICENSES":
        continue
    for name in sorted(filenames):
        if dirpath == corpus and name == "README.md":
            continue
        files.append(os.path.join(dirpath, name))
files.sort()
tap.ok(len(files) > 800, f"corpus has {len(files)} files")

r = subprocess.run([mt, "analyze", "--format", "ndjson", "--quiet", *files],
                   capture_output=True)
tap.ok(r.returncode in (0, 3), f"exit code {r.returncode} (0 or 3, no crash)",
       r.stderr.decode(errors="replace")[-2000:])
reports = [json.loads(line) for line in r.stdout.splitlines()]
by_path = {}
for rep in reports:
    by_path.setdefault(rep["source"]["path"], []).append(rep)

missing = [f for f in files if f not in by_path]
tap.ok(not missing, "every file gives at least one report or error record", missing[:20])
unclear = [p for p, reps in by_path.items()
           if any(not rep["source"]["format"] and not rep["errors"] for rep in reps)]
tap.ok(not unclear, "every input-level record carries an error", unclear[:20])
tail = r.stderr.decode(errors="replace").strip().splitlines()[-1]
analyzed = sum(1 for rep in reports if rep["source"]["format"])
tap.ok(tail.startswith(f"mailtrail: {analyzed} messages read"), "closing tally counts the messages", tail)

# Independent count and byte ranges of every mbox.
c = subprocess.run([sys.executable, count_mbox, "--offsets", *files], capture_output=True, text=True)
tap.ok(c.returncode == 0, "count-mbox.py ran", c.stderr[-500:])
expected = {}
current = None
for line in c.stdout.splitlines():
    parts = line.split("\t")
    if len(parts) == 2:
        current = parts[1]
        expected[current] = {"count": int(parts[0]), "ranges": []}
    elif len(parts) == 4 and current:
        expected[current]["ranges"].append((int(parts[1]), int(parts[2]), parts[3]))
mboxes = [f for f, e in expected.items() if e["count"] > 0]
tap.ok(len(mboxes) >= 60, f"{len(mboxes)} files are mboxes by the separator rule")
wrong_count, wrong_range = [], []
for f in mboxes:
    got = [rep for rep in by_path.get(f, []) if rep["source"]["format"]]
    if len(got) != expected[f]["count"]:
        wrong_count.append(f"{f}: {len(got)} reports, count-mbox.py says {expected[f]['count']}")
        continue
    for rep, (off, size, sha) in zip(got, expected[f]["ranges"]):
        s = rep["source"]
        if (s["offset"], s["size"], s["sha256"]) != (off, size, sha):
            wrong_range.append(f"{f}#{s['index']}: {s['offset']}/{s['size']}/{s['sha256'][:12]} vs {off}/{size}/{sha[:12]}")
tap.ok(not wrong_count, "each mbox: as many reports as messages counted independently", "\n".join(wrong_count[:20]))
tap.ok(not wrong_range, "each mbox message: same offset, size and SHA-256", "\n".join(wrong_range[:20]))

# Schema validation of every report.
try:
    import jsonschema
except ImportError:
    jsonschema = None
if jsonschema:
    validator = jsonschema.Draft202012Validator(json.load(open(schema_path)))
    bad = []
    for rep in reports:
        for e in validator.iter_errors(rep):
            bad.append(f"{rep['source']['path']}#{rep['source']['index']}: {e.json_path}: {e.message[:160]}")
            break
    tap.ok(not bad, f"all {len(reports)} reports validate against the schema", "\n".join(bad[:20]))
tap.done()
