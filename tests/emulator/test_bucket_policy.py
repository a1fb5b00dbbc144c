"""Bucket policies as moto's S3 applies them to account callers (bucket_policy.py)."""
import json

import pytest

from emulator_testing import client


def bucket_with_policy(endpoint, name, statements):
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    return s3


def test_conditional_statements_that_do_not_hold_do_not_apply(endpoint):
    s3 = bucket_with_policy(endpoint, "policy-conditional", [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": "arn:aws:s3:::policy-conditional/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::policy-conditional/*",
         "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/X"}}},
    ])
    assert s3.get_object(Bucket="policy-conditional", Key="a.txt")["Body"].read() == b"a"


def test_an_explicit_deny_still_refuses(endpoint):
    s3 = bucket_with_policy(endpoint, "policy-deny", [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::policy-deny/*"}])
    with pytest.raises(s3.exceptions.ClientError) as refused:
        s3.get_object(Bucket="policy-deny", Key="a.txt")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
