#!/usr/bin/env python3
"""The hand-built worst cases of docs/benchmarks.md ("Worst cases"), rebuilt
and mapped through the component under the default limits.

costly-200-lines.json is an order built from the fuzzer's own ingredients:
200 lines, each with a Charged Price that disagrees with Shopify's price
(LINE_PRICE_MISMATCH), a pack with no unit mapping (UOM_UNMAPPED), a unit
price that does not divide (UNIT_PRICE_SPLIT), a discount, a tax line and
presentment sets; taxes included; presented in EUR, which the bundled profile
does not accept. It is mapped as it is (minified), re-indented, and padded to
the 1 MiB input cap with unread members of several shapes.

Run from the repository root after `cargo build --release -p host-harness`
and the component build:  python3 scripts/worst-cases/run.py
(a measurement aid for developers; neither README command needs it).
"""
import json, os, subprocess, sys, tempfile

CAP = 1024 * 1024
here = os.path.dirname(os.path.abspath(__file__))
order = json.load(open(os.path.join(here, "costly-200-lines.json")))
minified = json.dumps(order, separators=(",", ":"))


def padded(item):
    """The minified order with one unread member: a list of `item` filling the cap."""
    head = minified[:-1] + ',"zz_pad":['
    n = (CAP - len(head) - 2) // (len(item) + 1)
    return head + ",".join([item] * n) + "]}"


cases = [
    ("minified", minified),
    ("indented 8", json.dumps(order, indent=8)),
    ("indented 14", json.dumps(order, indent=14)),
    ("+ white space to the cap", minified[:-1] + "," + " \n" * ((CAP - len(minified) - 12) // 2) + '"zz_pad":0}'),
    ("+ [1,1,…]", padded("1")),
    ('+ ["a","a",…]', padded('"a"')),
    ("+ [[],[],…]", padded("[]")),
    ("+ [[[]],[[]],…]", padded("[[]]")),
    ('+ [{"a":{"b":1}},…]', padded('{"a":{"b":1}}')),
]
print(f"{'case':28} {'bytes':>9} {'fuel':>12}  outcome")
with tempfile.TemporaryDirectory() as tmp:
    for name, text in cases:
        path = os.path.join(tmp, "order.json")
        open(path, "w").write(text)
        out = subprocess.run(
            ["target/release/host-harness", "run", "--human", "--profile", "fixtures/profile.json", path,
             "--fuel", "100000000"],
            capture_output=True, text=True, check=True).stdout
        fuel = int(next(l for l in out.splitlines() if "fuel, call" in l).split()[2])
        status = next((l.split()[1] for l in out.splitlines() if l.strip().startswith("status:")), "?")
        verdict = status if fuel <= 11_000_000 else f"{status} only past the limit: stopped at 11,000,000"
        print(f"{name:28} {len(text):>9,} {fuel:>12,}  {verdict}")
