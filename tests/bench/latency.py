"""One signature per process: how long a shell script or CI job waits for one signed URL.

Times whole processes on CPU 0 (start, read the key, sign, print, exit), medians of many runs:
`cfsign sign` with an RSA-2048 and an ECDSA P-256 key, `cfsign cookies` and `cfsign verify`, a one-shot `openssl dgst -sign` with
the same keys, botocore's CloudFrontSigner in a fresh Python, and `cfsign --version` (the
process alone). Called by tests/bench/run; see docs/benchmarks.md.
Usage: latency.py RUNS PYTHONPATH
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

runs, pythonpath = int(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
cfsign = "target/release/cfsign"
URL = "https://d111111abcdef8.cloudfront.net/teams/acme/report.pdf"

BOTOCORE_ONE_LINER = """
import datetime, sys
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
signer = CloudFrontSigner("K2JCJMDEHXQW5F", lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA1()))
print(signer.generate_presigned_url(sys.argv[2],
      date_less_than=datetime.datetime.now() + datetime.timedelta(minutes=15)))
"""


def median_ms(command, env=None):
    full_env = dict(os.environ, **(env or {}))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", *command], check=True, env=full_env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


with tempfile.TemporaryDirectory() as keys:
    key = {}
    for key_type in ("rsa2048", "ecdsa-p256"):
        folder = os.path.join(keys, key_type)
        subprocess.run([cfsign, "keygen", "--type", key_type, "--out-dir", folder], check=True,
                       stdout=subprocess.DEVNULL)
        key[key_type] = os.path.join(folder, "private_key.pem")
    sign = [cfsign, "sign", URL, "--key-pair-id", "K2JCJMDEHXQW5F", "--expires-in", "15m",
            "--private-key"]
    message = os.path.join(keys, "message")
    with open(message, "w") as out:
        out.write('{"Statement":[]}')
    signed = subprocess.run(sign + [key["rsa2048"]], check=True, capture_output=True,
                            text=True).stdout.strip()
    public = os.path.join(os.path.dirname(key["rsa2048"]), "public_key.pem")
    cookies = [cfsign, "cookies", f"{URL.rsplit('/', 1)[0]}/*", "--key-pair-id",
               "K2JCJMDEHXQW5F", "--expires-in", "15m", "--private-key", key["rsa2048"]]
    rows = [
        ("`cfsign --version` (the process alone)", [cfsign, "--version"], None),
        ("`cfsign sign`, RSA-2048", sign + [key["rsa2048"]], None),
        ("`cfsign cookies`, RSA-2048", cookies, None),
        ("`cfsign verify`, RSA-2048", [cfsign, "verify", signed, "--public-key", public, "--key-pair-id", "K2JCJMDEHXQW5F"], None),
        ("`openssl dgst -sha1 -sign`, RSA-2048",
         ["openssl", "dgst", "-sha1", "-sign", key["rsa2048"], "-out", os.devnull, message], None),
        ("botocore one-liner, RSA-2048",
         [sys.executable, "-c", BOTOCORE_ONE_LINER, key["rsa2048"], URL],
         {"PYTHONPATH": pythonpath}),
        ("`cfsign sign`, ECDSA P-256", sign + [key["ecdsa-p256"]], None),
        ("`openssl dgst -sha256 -sign`, ECDSA P-256",
         ["openssl", "dgst", "-sha256", "-sign", key["ecdsa-p256"], "-out", os.devnull, message],
         None),
    ]
    print(f"\nOne signature per process: medians of {runs} runs on CPU 0, in ms.\n")
    print("| process | median | min | max |")
    print("|---|---:|---:|---:|")
    for label, command, env in rows:
        median, low, high = median_ms(command, env)
        print(f"| {label} | {median:.1f} | {low:.1f} | {high:.1f} |")
