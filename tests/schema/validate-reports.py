#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Schema suite: the schema is valid draft 2020-12, and every report the
test suites produce or keep validates against it: the golden expected
files, the samples in each output format, error records, and messages
with raw 8-bit and NUL bytes in headers. The same for the summary schema
(doc/mailtrail-summary.schema.json) and the summaries of --summary, exact
and not.

Usage: validate-reports.py MAILTRAIL SCHEMA SOURCE_ROOT
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

mt, schema_path, root = sys.argv[1:4]
mt = os.path.abspath(mt)
tap = Tap()
try:
    import jsonschema
except ImportError:
    print("# python3-jsonschema is not installed")
    sys.exit(77)

schema = json.load(open(schema_path))
try:
    jsonschema.Draft202012Validator.check_schema(schema)
    tap.ok(True, "schema is a valid draft 2020-12 schema")
except jsonschema.SchemaError as e:
    tap.ok(False, "schema is a valid draft 2020-12 schema", str(e))
validator = jsonschema.Draft202012Validator(schema)


def check(name, reports, using=None):
    problems = []
    for rep in reports:
        for e in (using or validator).iter_errors(rep):
            problems.append(f"{e.json_path}: {e.message[:200]}")
    tap.ok(reports and not problems, f"{name}: {len(reports)} reports validate", "\n".join(problems[:20]))


def descriptions_everywhere(node, path, out):
    """Every property the schema defines carries a description."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            if "description" not in sub and "$ref" not in sub:
                out.append(f"{path}.{key}")
        for key, sub in node.items():
            descriptions_everywhere(sub, f"{path}.{key}", out)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            descriptions_everywhere(sub, f"{path}[{i}]", out)


undocumented = []
descriptions_everywhere(schema, "$", undocumented)
tap.ok(not undocumented, "every schema property has a description", "\n".join(undocumented[:30]))

for path in sorted(glob.glob(os.path.join(root, "tests", "golden", "*.json"))):
    doc = json.load(open(path))
    check(f"golden {os.path.basename(path)}", doc if isinstance(doc, list) else [doc])

samples = sorted(glob.glob(os.path.join(root, "samples", "*.eml")) +
                 glob.glob(os.path.join(root, "samples", "*.mbox")))
r = subprocess.run([mt, "analyze", "--format", "ndjson", *samples], capture_output=True)
check("samples as ndjson", [json.loads(line) for line in r.stdout.splitlines()])
r = subprocess.run([mt, "analyze", "--format", "json", *samples], capture_output=True)
check("samples as json array", json.loads(r.stdout))

with tempfile.TemporaryDirectory() as tmp:
    hostile = os.path.join(tmp, "hostile.eml")
    with open(hostile, "wb") as f:
        f.write(b"From: \xff\xfe <a@example.org>\nSubject: a\x00b \\x41 =?utf-8?B?!!?=\n"
                b" continued\nX-Bad :value\nno colon line\n\nbody\n")
    png = os.path.join(tmp, "x.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    r = subprocess.run([mt, "analyze", "--format", "ndjson", hostile, png,
                        os.path.join(tmp, "missing")], capture_output=True)
    reps = [json.loads(line) for line in r.stdout.splitlines()]
    check("hostile header bytes and error records", reps)
    subj = [h for h in reps[0]["headers"] if h["name"] == "Subject"][0]
    tap.ok(subj["value_escaped"] and subj["value"] == "a\\x00b \\\\x41 =?utf-8?B?!!?= continued",
           "NUL and backslash escaped reversibly", subj)
    od = os.path.join(tmp, "out")
    subprocess.run([mt, "analyze", "--format", "json", "--output-dir", od, *samples], capture_output=True)
    check("--output-dir files", [json.load(open(p)) for p in sorted(glob.glob(os.path.join(od, "*.json")))])

    # The summary schema, and the summaries each format writes.
    summary_schema = json.load(open(os.path.join(root, "doc", "mailtrail-summary.schema.json")))
    try:
        jsonschema.Draft202012Validator.check_schema(summary_schema)
        tap.ok(True, "summary schema is a valid draft 2020-12 schema")
    except jsonschema.SchemaError as e:
        tap.ok(False, "summary schema is a valid draft 2020-12 schema", str(e))
    undocumented = []
    descriptions_everywhere(summary_schema, "$", undocumented)
    tap.ok(not undocumented, "every summary schema property has a description", "\n".join(undocumented[:30]))
    summary_validator = jsonschema.Draft202012Validator(summary_schema)
    geo = dict(os.environ, MAILTRAIL_GEOIP_DIR=os.path.join(root, "samples", "geoip"))
    summaries = []
    r = subprocess.run([mt, "analyze", "--format", "ndjson", "--summary", *samples, hostile, png],
                       capture_output=True, env=geo)
    summaries.append(json.loads(r.stdout.splitlines()[-1]))
    r = subprocess.run([mt, "analyze", "--format", "json", "--summary-only", "--summary-keys", "2", *samples],
                       capture_output=True, env=geo)
    summaries.append(json.loads(r.stdout)[-1])
    sd = os.path.join(tmp, "summary-dir")
    subprocess.run([mt, "analyze", "--format", "json", "--summary", "--output-dir", sd, *samples],
                   capture_output=True)
    summaries.append(json.load(open(os.path.join(sd, "summary.json"))))
    tap.ok(summaries[0]["schema"] == "mailtrail.summary/1" and summaries[0]["messages"]["input_errors"] == 1
           and summaries[0]["origin_asns"]["top"] and not summaries[1]["from_domains"]["exact"],
           "summaries made: exact with GeoIP and an input error, inexact with 2 keys, summary.json")
    check("summaries", summaries, summary_validator)
tap.done()
