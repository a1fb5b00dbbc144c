"""What a reader of the docs does by hand with the AWS CLI, done with boto3 against the emulator
(AWS_ENDPOINT_URL) for tests/docs: take on the platform automation role, save a team's signing
key to files, put and get objects.

Usage:
  reader.py assume-role ROLE_NAME              -> {"AWS_ACCESS_KEY_ID": ..., ...}
  reader.py save-key SECRET_ARN DIR            -> DIR/private_key.pem (0600), DIR/public_key.pem
  reader.py put-object BUCKET KEY BODY
  reader.py get-object BUCKET KEY              -> the body on stdout
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def assume_role(name):
    """Creates the role (trusting the account) with what docs/onboarding.md says the platform
    automation role may use ("Service Catalog, CloudFormation, S3, Secrets Manager, CloudFront
    reads ..., IAM reads and, for keys kept in KMS, kms:CreateKey, kms:GetPublicKey and kms:Sign")
    if needed, and assumes it; prints its credentials."""
    iam = boto3.client("iam")
    account = boto3.client("sts").get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.put_role_policy(RoleName=name, PolicyName="docs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "servicecatalog:*", "cloudformation:*", "s3:*", "secretsmanager:*", "cloudfront:Get*",
            "cloudfront:List*", "iam:Get*", "iam:List*", "kms:CreateKey", "kms:GetPublicKey",
            "kms:Sign"]}]}))
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{name}", RoleSessionName="docs-reader")["Credentials"]
    print(json.dumps({
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }))


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
    if command == "assume-role":
        assume_role(*args)
    elif command == "save-key":
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
