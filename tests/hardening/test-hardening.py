#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hardening suite: the mailtrail binary carries the protections the
build asks for (top-level meson.build), read back with readelf:

  - PIE: ELF type DYN, so ASLR moves the code too;
  - full RELRO: a GNU_RELRO segment and BIND_NOW (FLAGS BIND_NOW or
    FLAGS_1 NOW), so the GOT is read-only before main() runs;
  - stack protector: __stack_chk_fail is imported;
  - a stack that is not executable (GNU_STACK without E);
  - _FORTIFY_SOURCE: checked libc variants (__*_chk) are imported, in
    builds where meson enables it (optimised, no sanitizer).

Usage: test-hardening.py MAILTRAIL fortify|no-fortify|off
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402

binary, mode = os.path.abspath(sys.argv[1]), sys.argv[2]
tap = Tap()
if mode == "off":
    tap.skip_all("built with -Dhardening=false")
if shutil.which("readelf") is None:
    tap.skip_all("readelf (binutils) is not installed")


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args, binary], check=True,
                          capture_output=True, text=True).stdout


header = readelf("-h")
dynamic = readelf("-d")
segments = readelf("-l")
symbols = readelf("--dyn-syms")

elf_type = re.search(r"Type:\s+(\S+)", header)
tap.ok(elf_type and elf_type.group(1) == "DYN", "PIE: ELF type DYN",
       elf_type.group(0) if elf_type else header)
tap.ok("GNU_RELRO" in segments, "RELRO: a GNU_RELRO segment", segments)
bind_now = (re.search(r"\(FLAGS\)\s+.*\bBIND_NOW\b", dynamic)
            or re.search(r"\(FLAGS_1\)\s+.*\bNOW\b", dynamic))
tap.ok(bool(bind_now), "full RELRO: BIND_NOW in the dynamic section", dynamic)
stack = re.search(r"GNU_STACK\s+(?:\S+\s+){5}(\S+)", segments)
tap.ok(stack and "E" not in stack.group(1), "the stack is not executable",
       stack.group(0) if stack else segments)
imported = set(re.findall(r"\bUND\s+([^\s@]+)", symbols))
tap.ok("__stack_chk_fail" in imported,
       "stack protector: __stack_chk_fail is imported",
       sorted(imported)[:50])
checked = sorted(s for s in imported if re.fullmatch(r"__\w+_chk", s)
                 and s != "__stack_chk_fail")
if mode == "fortify":
    tap.ok(len(checked) > 0,
           f"_FORTIFY_SOURCE: checked libc calls ({', '.join(checked[:6])})",
           sorted(imported)[:80])
else:
    print("# _FORTIFY_SOURCE not expected in this build (no optimisation"
          " or a sanitizer)")
tap.done()
