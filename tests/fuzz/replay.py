#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The fuzz suite: replays a target's seed corpus (rebuilt by
make-corpus.py into a build folder) and every reproducer ever saved in
tests/fuzz/regressions/TARGET/ through the target's standalone build, as
an ordinary test. A crash, a sanitizer report or a failed invariant makes
the test fail, naming the input.

Usage: replay.py REPLAY_BINARY TARGET SOURCE_ROOT CORPUS_DIR
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from tap import Tap  # noqa: E402

binary, target, root, corpus_root = sys.argv[1:5]
tap = Tap()

r = subprocess.run([sys.executable, os.path.join(HERE, "make-corpus.py"),
                    root, corpus_root, target], capture_output=True, text=True)
if r.returncode != 0:
    print(r.stdout + r.stderr, file=sys.stderr)
    sys.exit(99)
seeds = os.path.join(corpus_root, target)
regressions = os.path.join(HERE, "regressions", target)


def replay(label, path):
    files = []
    for dirpath, _, names in os.walk(path):
        files += [os.path.join(dirpath, n) for n in names
                  if not n.startswith(".") and n != "README.md"]
    if not files:
        tap.ok(True, f"{target}: {label}: nothing to replay")
        return
    p = subprocess.run([binary, *sorted(files)], capture_output=True,
                       text=True, errors="replace")
    want = f"replayed {len(files)} inputs"
    if p.returncode == 0 and want in p.stdout:
        tap.ok(True, f"{target}: {label}: {len(files)} inputs")
        return
    # Find the input that failed: run again naming each one.
    env = dict(os.environ, MT_FUZZ_VERBOSE="1")
    culprit = "?"
    for f in sorted(files):
        q = subprocess.run([binary, f], capture_output=True, env=env)
        if q.returncode != 0:
            culprit = f
            break
    tap.ok(False, f"{target}: {label}: replay failed on {culprit}",
           f"exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-6000:]}")


replay("seed corpus", seeds)
replay("regressions", regressions)
tap.done()
