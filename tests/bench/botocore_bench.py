"""botocore's CloudFrontSigner (with `cryptography`): unique canned URLs per second.

Usage: python3 botocore_bench.py SECONDS KEY_TYPE   (KEY_TYPE: rsa2048 | ecdsa-p256)
Prints one number.
"""
import datetime
import sys
import time

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def main():
    seconds, key_type = float(sys.argv[1]), sys.argv[2]
    if key_type == "rsa2048":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        sign = lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA1())
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        sign = lambda message: key.sign(message, ec.ECDSA(hashes.SHA256()))
    signer = CloudFrontSigner("K2JCJMDEHXQW5F", sign)
    expires = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(16):
            signer.generate_presigned_url(
                f"https://d111111abcdef8.cloudfront.net/teams/acme/photos/{count}.jpg",
                date_less_than=expires,
            )
            count += 1
    print(f"{count / (time.perf_counter() - start):.1f}")


main()
