#!/usr/bin/env python3
"""Where a call's fuel goes, function by function: a developer's profiler.

It runs the call again and again with the budget set to N, 2N, 3N, ... fuel
units (`host-harness run --fuel`, or `--setup-fuel` for instantiating and
parsing the profile). Each run stops where that much fuel has been spent, and
the harness prints the wasm backtrace of the stop. Fuel is counted exactly, so
the samples are too: the same build and input give the same profile.

Wasmtime checks fuel only at function entries and loop headers, so a sample
names the first check after the budget ran out: what it counts is the fuel
spent since the check before it. Read a loop header's count as its loop body's
and a function entry's as the code that led to the call.

Build the component unstripped, with line tables, into its own target dir:

  CARGO_TARGET_DIR=target/prof cargo build --release --target wasm32-wasip2 -p plugin \\
    --config 'profile.release.package.plugin.strip=false' \\
    --config 'profile.release.package.plugin.debug="line-tables-only"'

then, from the repository root (after `cargo build --release -p host-harness`):

  python3 scripts/fuel-profile.py --step 1000 fixtures/orders/volume-10-lines/order.json
  python3 scripts/fuel-profile.py --setup --step 100000 --profile big.json fixtures/orders/volume-10-lines/order.json

Printed: the innermost frames (where the fuel went) and, with --inclusive, each
function's share of the samples that have it anywhere on the stack. A
measurement aid; neither README command needs it.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("payload", help="the order (or other input) to run")
parser.add_argument("--component", default="target/prof/wasm32-wasip2/release/plugin.wasm")
parser.add_argument("--profile", default="fixtures/profile.json")
parser.add_argument("--setup", action="store_true", help="profile setup (instantiate and parse the profile), not the call")
parser.add_argument("--step", type=int, default=1000, help="fuel between samples")
parser.add_argument("--depth", type=int, default=1, help="innermost frames to show per sample")
parser.add_argument("--inclusive", action="store_true", help="count every function on the stack")
parser.add_argument("--top", type=int, default=40)
args = parser.parse_args()

HARNESS = "target/release/host-harness"
FRAME = re.compile(r"(?:\d+:\s+0x[0-9a-f]+ - |\s+- )(.+?)\n\s+at (\S+)")


def run(fuel):
    budget = ["--setup-fuel", str(fuel)] if args.setup else ["--fuel", str(fuel)]
    cmd = [HARNESS, "run", "--human", "--component", args.component, "--profile", args.profile, *budget, args.payload]
    env = dict(os.environ, WASMTIME_BACKTRACE_DETAILS="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env).stdout


def frames(report):
    """The backtrace's frames, innermost first, as `function @ file:line`."""
    if "fuel exhausted" not in report or "Wasm backtrace" not in report:
        return None
    trace = report.split("Wasm backtrace", 1)[1]
    out = []
    for name, at in FRAME.findall(trace):
        name = re.sub(r"<.*", "", name.strip())
        at = re.sub(r"^.*/(plugin/src|library)/", "", at)
        out.append(f"{name} @ {at}")
    return out


# The full run first: how much fuel there is to sample.
full = run(10**12)
stage = "setup" if args.setup else "call"
m = re.search(rf"fuel, {stage}:\s+(\d+)", full)
total = int(m.group(1)) if m else 0
if total == 0:
    raise SystemExit(f"no fuel figure in the report:\n{full}")
budgets = range(args.step, total, args.step)
with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
    stacks = [s for s in pool.map(lambda n: frames(run(n)), budgets) if s]
counts = collections.Counter()
for stack in stacks:
    if args.inclusive:
        counts.update({re.sub(r":\d+(:\d+)?$", "", f) for f in stack})
    else:
        counts[" <- ".join(stack[: args.depth])] += 1
print(f"{len(stacks)} samples, one every {args.step} of {total} fuel ({stage})")
for key, n in counts.most_common(args.top):
    print(f"{n:5d} {100 * n / len(stacks):5.1f}%  {key}")
