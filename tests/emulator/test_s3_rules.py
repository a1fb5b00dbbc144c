"""S3 rules (s3_rules.py) through boto3 against the emulator: bucket names, versioned buckets
that cannot be deleted while they hold versions or delete markers, and the bucket owner
condition."""
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator_testing import ACCOUNT, REGION, client
from s3_rules import valid_bucket_name

OTHER_ACCOUNT = "999999999999"


def unique(prefix="rules"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def refused(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def test_bucket_names_follow_the_naming_rules():
    for name in ["abc", "a" * 63, "cfsign-demo-123456789012-us-east-1", "logs.example.com"]:
        assert valid_bucket_name(name), name
    for name in ["ab", "a" * 64, "Upper-case", "under_score", "-leading", "trailing-",
                 "two..dots", "192.168.5.4", "xn--punycode", "sthree-bucket",
                 "amzn-s3-demo-bucket", "alias-s3alias", "lambda--ol-s3", "x.mrap",
                 "zone--x-s3", "tables--table-s3"]:
        assert not valid_bucket_name(name), name


def test_create_bucket_refuses_an_invalid_name(endpoint):
    s3 = client(endpoint, "s3")
    error = refused(s3.create_bucket, Bucket="Invalid_Name")["Error"]
    assert error["Code"] == "InvalidBucketName"
    assert error["Message"] == "The specified bucket is not valid."
    name = unique()
    s3.create_bucket(Bucket=name)
    assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200


def versioned_bucket(s3):
    name = unique()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def test_delete_object_without_a_version_adds_a_delete_marker(endpoint):
    s3 = client(endpoint, "s3")
    name = versioned_bucket(s3)
    written = s3.put_object(Bucket=name, Key="a.txt", Body=b"one")["VersionId"]
    deleted = s3.delete_object(Bucket=name, Key="a.txt")
    assert deleted["DeleteMarker"] is True
    versions = s3.list_object_versions(Bucket=name)
    assert [v["VersionId"] for v in versions["Versions"]] == [written]
    assert [m["VersionId"] for m in versions["DeleteMarkers"]] == [deleted["VersionId"]]


def test_a_versioned_bucket_with_versions_or_delete_markers_cannot_be_deleted(endpoint):
    s3 = client(endpoint, "s3")
    name = versioned_bucket(s3)
    written = s3.put_object(Bucket=name, Key="a.txt", Body=b"one")["VersionId"]
    marker = s3.delete_object(Bucket=name, Key="a.txt")["VersionId"]
    error = refused(s3.delete_bucket, Bucket=name)
    assert error["Error"]["Code"] == "BucketNotEmpty"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Message"] == ("The bucket you tried to delete is not empty. You must "
                                         "delete all versions in the bucket.")
    s3.delete_object(Bucket=name, Key="a.txt", VersionId=written)
    assert refused(s3.delete_bucket, Bucket=name)["Error"]["Code"] == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="a.txt", VersionId=marker)
    s3.delete_bucket(Bucket=name)


def other_account_s3(endpoint):
    """An S3 client acting in another account (moto's AssumeRole accepts any account id)."""
    credentials = client(endpoint, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/owner", RoleSessionName="owner")["Credentials"]
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def test_the_expected_bucket_owner_must_own_the_bucket(endpoint):
    theirs = other_account_s3(endpoint)
    name = unique("theirs")
    theirs.create_bucket(Bucket=name)
    theirs.put_object(Bucket=name, Key="a.txt", Body=b"x", ExpectedBucketOwner=OTHER_ACCOUNT)
    s3 = client(endpoint, "s3")
    head = refused(s3.head_bucket, Bucket=name, ExpectedBucketOwner=ACCOUNT)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 403  # a HEAD answer has no body
    for call, kwargs in [(s3.list_objects_v2, {}), (s3.put_object, {"Key": "a.txt", "Body": b"y"}),
                         (s3.get_object, {"Key": "a.txt"})]:
        error = refused(call, Bucket=name, ExpectedBucketOwner=ACCOUNT, **kwargs)
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403, call
        assert error["Error"] == {"Code": "AccessDenied", "Message": "Access Denied"}
    ours = unique("ours")
    s3.create_bucket(Bucket=ours)
    s3.put_object(Bucket=ours, Key="a.txt", Body=b"y", ExpectedBucketOwner=ACCOUNT)
    copy = refused(s3.copy_object, Bucket=ours, Key="b.txt", CopySource=f"{name}/a.txt",
                   ExpectedBucketOwner=ACCOUNT, ExpectedSourceBucketOwner=ACCOUNT)
    assert copy["Error"]["Code"] == "AccessDenied"


def transition_rule(days, storage_class):
    return {"Rules": [{"ID": "move", "Status": "Enabled", "Filter": {"Prefix": ""},
                       "Transitions": [{"Days": days, "StorageClass": storage_class}]}]}


def test_a_transition_to_infrequent_access_under_30_days_is_refused(endpoint):
    s3 = client(endpoint, "s3")
    name = unique()
    s3.create_bucket(Bucket=name)
    for storage_class in ("STANDARD_IA", "ONEZONE_IA"):
        error = refused(s3.put_bucket_lifecycle_configuration, Bucket=name,
                        LifecycleConfiguration=transition_rule(29, storage_class))["Error"]
        assert error["Code"] == "InvalidArgument"
        assert error["Message"] == ("'Days' in Transition action must be greater than or "
                                    f"equal to 30 for storageClass '{storage_class}'")
    # 30 days to an IA class, and any day to the classes without that minimum, are taken.
    s3.put_bucket_lifecycle_configuration(Bucket=name,
                                          LifecycleConfiguration=transition_rule(30, "STANDARD_IA"))
    s3.put_bucket_lifecycle_configuration(Bucket=name,
                                          LifecycleConfiguration=transition_rule(1, "GLACIER_IR"))
