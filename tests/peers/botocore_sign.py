"""Signs a URL with botocore's CloudFrontSigner, the reference Python implementation.

Reads one JSON request on stdin: {"url", "key_pair_id", "private_key" (a PEM path),
"expires", optional "starts", "ip", "hash" ("sha1" | "sha256")}. Prints the signed URL.
"""
import datetime
import json
import sys

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def load_signer(path, hash_name):
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    digest = hashes.SHA256() if hash_name == "sha256" else hashes.SHA1()
    if isinstance(key, rsa.RSAPrivateKey):
        return lambda message: key.sign(message, padding.PKCS1v15(), digest)
    return lambda message: key.sign(message, ec.ECDSA(digest))


def when(epoch):
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)


def main():
    request = json.load(sys.stdin)
    signer = CloudFrontSigner(
        request["key_pair_id"], load_signer(request["private_key"], request.get("hash"))
    )
    url = request["url"]
    if request.get("starts") is None and request.get("ip") is None:
        signed = signer.generate_presigned_url(url, date_less_than=when(request["expires"]))
    else:
        policy = signer.build_policy(
            url,
            when(request["expires"]),
            date_greater_than=when(request["starts"]) if request.get("starts") else None,
            ip_address=request.get("ip"),
        )
        signed = signer.generate_presigned_url(url, policy=policy)
    if request.get("hash") == "sha256":
        signed += "&Hash-Algorithm=SHA256"
    print(signed)


if __name__ == "__main__":
    main()
