#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden suite: each message in samples/ analyzed to JSON and compared,
field by field, with tests/golden/<name>.json. A mismatch prints the JSON
path and both values. --update rewrites the expected files (review the
diff before committing them).

Usage: run-golden.py MAILTRAIL SOURCE_ROOT [--update]
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

# Fields that legitimately differ between runs or machines.
VOLATILE = {("tool", "version")}


def diff(want, got, path, out):
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want.keys() | got.keys():
            p = path + (k,)
            if p in VOLATILE:
                continue
            if k not in got:
                out.append(f"{'.'.join(map(str, p))}: missing (want {json.dumps(want[k], ensure_ascii=False)[:120]})")
            elif k not in want:
                out.append(f"{'.'.join(map(str, p))}: unexpected {json.dumps(got[k], ensure_ascii=False)[:120]}")
            else:
                diff(want[k], got[k], p, out)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            out.append(f"{'.'.join(map(str, path))}: {len(got)} items, want {len(want)}")
        for i, (w, g) in enumerate(zip(want, got)):
            diff(w, g, path + (i,), out)
    elif want != got or type(want) is not type(got):
        out.append(f"{'.'.join(map(str, path))}: got {json.dumps(got, ensure_ascii=False)[:200]}, want {json.dumps(want, ensure_ascii=False)[:200]}")


def main():
    mailtrail, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = "--update" in sys.argv[3:]
    tap = Tap()
    samples = sorted(f for f in os.listdir(os.path.join(root, "samples"))
                     if f.endswith((".eml", ".mbox")))
    tap.ok(len(samples) >= 5, "samples/ has at least five messages", samples)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1793491200")
    geo = []
    for db in sorted(os.listdir(os.path.join(root, "samples", "geoip"))):
        if db.endswith(".mmdb"):
            geo += ["--geoip-db", os.path.join("samples", "geoip", db)]
    helptext = subprocess.run([mailtrail, "analyze", "--help"], capture_output=True, text=True).stdout
    if "--geoip-db" not in helptext:
        geo = []
    for name in samples:
        rel = os.path.join("samples", name)
        r = subprocess.run([mailtrail, "analyze", "--format", "json", *geo, rel],
                           cwd=root, env=env, capture_output=True)
        if not tap.ok(r.returncode == 0, f"{name}: exit 0", r.stderr.decode(errors="replace")):
            continue
        got = json.loads(r.stdout)
        expected_path = os.path.join(root, "tests", "golden",
                                     os.path.splitext(name)[0] + ".json")
        if update:
            with open(expected_path, "w") as f:
                json.dump(got, f, indent=2, ensure_ascii=False)
                f.write("\n")
        with open(expected_path) as f:
            want = json.load(f)
        problems = []
        diff(want, got, (), problems)
        tap.ok(not problems, f"{name}: matches tests/golden/{os.path.basename(expected_path)}",
               "\n".join(sorted(problems)))
    tap.done()


if __name__ == "__main__":
    main()
