"""Runs every signer on CPU 0 in interleaved rounds and prints the medians as a Markdown table.

Called by tests/bench/run, which prepares the peers; see docs/benchmarks.md.
Usage: compare.py SECONDS ROUNDS PYTHONPATH NODE_PATH
"""
import json
import os
import re
import statistics
import subprocess
import sys

seconds, rounds, pythonpath, node_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
here = os.path.dirname(os.path.abspath(__file__))
# A round is several one-second slices per signer, taken in turn (cfsign, botocore, the JS
# signer, openssl, again), so a burst of load from the shared machine falls on every signer of
# that round alike; a round's figure is each signer's median slice.
SLICE = "1"
slices = max(1, int(float(seconds) + 0.5))


def run(*cmd, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(["taskset", "-c", "0", *cmd], check=True, capture_output=True,
                          text=True, env=full_env).stdout


def cfsign():
    figures = json.loads(run("target/release/cfsign", "bench", "--seconds", SLICE, "--json"))
    by_name = {f["name"].split()[0]: f["per_second"] for f in figures}
    return {"cf_rsa": by_name["rsa2048-sha1"], "cf_ec": by_name["ecdsa-p256-sha256"],
            "cf_scope": by_name["batch"]}


def peer(kind, script, key_type):
    if kind == "py":
        out = run(sys.executable, os.path.join(here, script), SLICE, key_type,
                  env={"PYTHONPATH": pythonpath})
    else:
        out = run("node", os.path.join(here, script), SLICE, key_type,
                  env={"NODE_PATH": node_path})
    return float(out.strip())


def openssl(algorithm, pattern):
    out = run("openssl", "speed", "-seconds", SLICE, algorithm)
    line = next(l for l in out.splitlines() if re.search(pattern, l))
    return float(line.split()[-2])


samples = {}
for round_number in range(rounds):
    print(f"round {round_number + 1}/{rounds} ({slices} slices)", file=sys.stderr)
    sliced = {}
    for _ in range(slices):
        measured = cfsign()
        measured["boto_rsa"] = peer("py", "botocore_bench.py", "rsa2048")
        measured["boto_ec"] = peer("py", "botocore_bench.py", "ecdsa-p256")
        measured["js_rsa"] = peer("js", "js_bench.cjs", "rsa2048")
        measured["js_ec"] = peer("js", "js_bench.cjs", "ecdsa-p256")
        measured["ossl_rsa"] = openssl("rsa2048", r"^rsa +2048 bits")
        measured["ossl_ec"] = openssl("ecdsap256", r"nistp256")
        for name, value in measured.items():
            sliced.setdefault(name, []).append(value)
    for name, values in sliced.items():
        samples.setdefault(name, []).append(statistics.median(values))

m = {name: statistics.median(values) for name, values in samples.items()}
spread = {name: (min(v), max(v)) for name, v in samples.items()}
print(f"Medians of {rounds} rounds, each the median of {slices} interleaved one-second slices "
      "per signer, all on CPU 0.\n")
print("| measure | cfsign | botocore | JS signer | openssl speed | cfsign / openssl |")
print("|---|---:|---:|---:|---:|---:|")
for label, ours, boto, js, limit in [
    ("RSA-2048 SHA-1, unique URLs/s", "cf_rsa", "boto_rsa", "js_rsa", "ossl_rsa"),
    ("ECDSA P-256 SHA-256, unique URLs/s", "cf_ec", "boto_ec", "js_ec", "ossl_ec"),
]:
    print(f"| {label} | {m[ours]:,.0f} | {m[boto]:,.0f} | {m[js]:,.0f} | {m[limit]:,.0f} "
          f"| {m[ours] / m[limit]:.2f}x |")
best_rsa_peer = max(m["boto_rsa"], m["js_rsa"])
print(f"| `--batch --scope` (RSA), URLs/s | {m['cf_scope']:,.0f} | {m['boto_rsa']:,.0f} "
      f"| {m['js_rsa']:,.0f} | | |")
print(f"\nScope mode: {m['cf_scope'] / best_rsa_peer:,.0f}x the faster RSA peer.")
print("\nRSA-2048 round by round (the goal: at least 0.95x openssl speed and ahead of botocore in"
      " every round):\n")
print("| round | cfsign | botocore | openssl speed | cfsign / openssl | cfsign / botocore |")
print("|---:|---:|---:|---:|---:|---:|")
for number, (ours, boto, limit) in enumerate(
        zip(samples["cf_rsa"], samples["boto_rsa"], samples["ossl_rsa"]), start=1):
    print(f"| {number} | {ours:,.0f} | {boto:,.0f} | {limit:,.0f} | {ours / limit:.2f}x "
          f"| {ours / boto:.2f}x |")
print("\nRanges (min-max of the rounds' figures) per measure:")
for name, (low, high) in sorted(spread.items()):
    print(f"- {name}: {low:,.0f} - {high:,.0f}")
