"""KMS-backed signing against the local emulator: how many URLs per second `cfsign sign --batch
--kms-key-id` signs, unique (one kms:Sign per URL, --jobs calls in flight) and under one
--scope signature (one kms:Sign for the whole batch).

The emulator answers on loopback, so these figures measure cfsign's side (the SDK calls, the
concurrency, the URL work) and the emulator's Python, not KMS's own latency or its request
quota (RSA_2048 Sign: 500 requests/s per account and Region in the quotas table; cfsign retries
when throttled). Called by tests/bench/run; see docs/benchmarks.md.
Usage: kms.py URLS   (unique URLs; the scoped batch is 100 times as many)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

urls = int(sys.argv[1])
cfsign = os.path.abspath("target/release/cfsign")
serve = os.path.abspath("tests/emulator/serve")
SCOPE = "https://d111111abcdef8.cloudfront.net/teams/acme/*"


def main():
    # Not recorded: the recorder would append every Sign request to a file as it is timed.
    emulator = subprocess.Popen([serve, "--parent", str(os.getpid())], stdout=subprocess.PIPE,
                                text=True, env=dict(os.environ, MOTO_ENABLE_RECORDING=""))
    try:
        endpoint = emulator.stdout.readline().strip()
        # Never fall back to real AWS: an empty endpoint would leave the SDK's default one.
        assert endpoint.startswith("http://127.0.0.1:"), f"the emulator did not start: {endpoint!r}"
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1")
        print("| `cfsign sign --batch --kms-key-id`, key and mode | URLs | seconds | URLs/s |")
        print("|---|---:|---:|---:|")
        for key_type in ["rsa2048", "ecdsa-p256"]:
            with tempfile.TemporaryDirectory() as out_dir:
                made = subprocess.run([cfsign, "keygen", "--kms", "--type", key_type, "--out-dir",
                                       out_dir, "--json"], check=True, capture_output=True,
                                      text=True, env=env)
            arn = json.loads(made.stdout)["kms_key_arn"]
            for label, extra, count in [("unique", [], urls),
                                        ("--scope", ["--scope", SCOPE], urls * 100)]:
                lines = "".join(f"https://d111111abcdef8.cloudfront.net/teams/acme/{n}.jpg\n"
                                for n in range(count))
                start = time.perf_counter()
                signed = subprocess.run([cfsign, "sign", "--batch", "--kms-key-id", arn,
                                         "--key-pair-id", "K2JCJMDEHXQW5F", "--expires-in", "1h",
                                         *extra], input=lines, check=True, capture_output=True,
                                        text=True, env=env)
                seconds = time.perf_counter() - start
                assert signed.stdout.count("\n") == count, "one signed URL per line"
                print(f"| {key_type}, {label} | {count:,} | {seconds:.2f} | {count / seconds:,.0f} |")
    finally:
        emulator.terminate()
        emulator.wait()


main()
