"""What a reader of the docs does by hand with the AWS CLI, done with boto3 against the emulator
(AWS_ENDPOINT_URL) for tests/docs, with the credentials it is given (the automation role the
reader runs as, from tests/support/roles.py, to save a key; the root, standing in for the
application, for objects): save a team's signing key to files, put and get objects.

Usage:
  reader.py save-key SECRET_ARN DIR            -> DIR/private_key.pem (0600), DIR/public_key.pem
  reader.py put-object BUCKET KEY BODY
  reader.py get-object BUCKET KEY              -> the body on stdout
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def save_key(secret_arn, directory):
    """The AWSCURRENT private key, and the public key CloudFront holds for its key pair id."""
    value = json.loads(boto3.client("secretsmanager").get_secret_value(
        SecretId=secret_arn, VersionStage="AWSCURRENT")["SecretString"])
    private = os.path.join(directory, "private_key.pem")
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value["privateKey"])
    public = boto3.client("cloudfront").get_public_key(Id=value["keyPairId"])
    with open(os.path.join(directory, "public_key.pem"), "w") as out:
        out.write(public["PublicKey"]["PublicKeyConfig"]["EncodedKey"])


def s3():
    return boto3.client("s3", config=Config(s3={"addressing_style": "path"}))


def main(command, *args):
    if command == "save-key":
        save_key(*args)
    elif command == "put-object":
        bucket, key, body = args
        s3().put_object(Bucket=bucket, Key=key, Body=body.encode())
    elif command == "get-object":
        bucket, key = args
        sys.stdout.write(s3().get_object(Bucket=bucket, Key=key)["Body"].read()
                         .decode())
    else:
        sys.exit(f"reader.py: unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
