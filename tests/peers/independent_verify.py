"""Checks a CloudFront signed URL's signature with Python `cryptography` alone.

An independent verifier for cfsign's output: it shares no code with cfsign. Usage:
    python3 independent_verify.py SIGNED_URL PUBLIC_KEY_PEM
Prints "valid" or "invalid" and exits 0 or 1.
"""
import base64
import json
import sys
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

SIGNING = {"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}


def cf_b64decode(text):
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def main():
    url, key_path = sys.argv[1], sys.argv[2]
    base, _, query = url.partition("?")
    pairs = [p for p in query.split("&") if p]
    params = dict(parse_qsl(query, keep_blank_values=True))
    kept = [p for p in pairs if p.split("=", 1)[0] not in SIGNING]
    resource = base + ("?" + "&".join(kept) if kept else "")
    if "Expires" in params:
        policy = json.dumps(
            {"Statement": [{"Resource": resource,
                            "Condition": {"DateLessThan": {"AWS:EpochTime": int(params["Expires"])}}}]},
            separators=(",", ":"),
        ).encode()
    else:
        policy = cf_b64decode(params["Policy"])
    signature = cf_b64decode(params["Signature"])
    digest = hashes.SHA256() if params.get("Hash-Algorithm") == "SHA256" else hashes.SHA1()
    with open(key_path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, policy, padding.PKCS1v15(), digest)
        else:
            key.verify(signature, policy, ec.ECDSA(digest))
    except InvalidSignature:
        print("invalid")
        sys.exit(1)
    print("valid")


if __name__ == "__main__":
    main()
