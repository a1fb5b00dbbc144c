"""The application side in Python: read the team's signing key from its secret (AWSCURRENT) and
sign a URL with botocore's CloudFrontSigner.

    python sign_from_secret.py cfsign/payments/signing-key https://files.payments.example.com/a.pdf

Needs botocore (or boto3) and cryptography. Re-read the secret every few minutes: keys rotate.
"""
import datetime
import json
import sys

import botocore.session
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def signer_from_secret(secret_id):
    client = botocore.session.get_session().create_client("secretsmanager")
    secret = json.loads(client.get_secret_value(SecretId=secret_id,
                                                VersionStage="AWSCURRENT")["SecretString"])
    key = serialization.load_pem_private_key(secret["privateKey"].encode(), password=None)

    def rsa_signer(message):
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(message, padding.PKCS1v15(), hashes.SHA1())
        if isinstance(key, ec.EllipticCurvePrivateKey):
            # botocore signs with SHA-1 only: for ECDSA keys use cfsign or the JS signer.
            raise ValueError("botocore's CloudFrontSigner supports RSA keys")
        raise ValueError("unsupported key type")

    return CloudFrontSigner(secret["keyPairId"], rsa_signer)


def main():
    secret_id, url = sys.argv[1], sys.argv[2]
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15)
    print(signer_from_secret(secret_id).generate_presigned_url(url, date_less_than=expires))


if __name__ == "__main__":
    main()
