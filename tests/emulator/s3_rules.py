"""S3 rules moto 5.2.5 lacks, taken from the S3 User Guide and API reference:

- Bucket names (User Guide, "General purpose bucket naming rules", bucketnamingrules.html):
  3-63 characters of lower-case letters, digits, dots and hyphens; a letter or digit first and
  last; no two adjacent dots; not formatted as an IP address; none of the reserved prefixes
  (xn--, sthree-, amzn-s3-demo-) and suffixes (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).
  CreateBucket refuses another name with InvalidBucketName, HTTP 400, "The specified bucket is
  not valid." (API reference, Error responses). The check sits in moto's backend, so a bucket
  CloudFormation creates is refused as the API refuses it. moto checked the length only.
- A versioned bucket that still holds object versions or delete markers cannot be deleted:
  BucketNotEmpty, HTTP 409, "The bucket you tried to delete is not empty. You must delete all
  versions in the bucket." (the wording S3 gives for a versioned bucket, as CloudFormation
  quotes it in DELETE_FAILED events: aws-samples/aws-scalable-big-blue-button-example#98,
  aws-solutions/workload-discovery-on-aws#30). moto refused, with the unversioned wording.
  DeleteObject without a version id on a versioned bucket adds a delete marker (moto does).
- The bucket owner condition (User Guide, "Verifying bucket ownership with bucket owner
  condition", bucket-owner-condition.html): a request whose x-amz-expected-bucket-owner
  (ExpectedBucketOwner) or, for a copy, x-amz-source-expected-bucket-owner names an account
  other than the bucket's owner fails with 403 Access Denied. BucketOwnerApplication checks it
  in front of moto; the owner is the account whose backend holds the bucket.
- Lifecycle transitions to an infrequent-access class (User Guide, "Transitioning objects using
  Amazon S3 Lifecycle", lifecycle-transition-general-considerations.html: objects must be stored
  at least 30 days before S3 Standard-IA or S3 One Zone-IA): PutBucketLifecycleConfiguration
  with a Transition to STANDARD_IA or ONEZONE_IA under 30 Days fails with InvalidArgument, HTTP
  400, "'Days' in Transition action must be greater than or equal to 30 for storageClass
  'STANDARD_IA'". In moto's backend, so a bucket CloudFormation configures (cfn_s3.py) is
  refused too. moto took any number of days.
"""
import ipaddress
import re

from moto.s3 import models as s3_models
from moto.s3.exceptions import (BucketNotEmpty, InvalidArgumentError, InvalidBucketName,
                                S3ClientError)
from moto.s3.models import s3_backends

import aws_errors
import wire
from validation import EXEMPT

NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
VERSIONED_NOT_EMPTY = ("The bucket you tried to delete is not empty. You must delete all "
                       "versions in the bucket.")


def _is_ip_address(name):
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def valid_bucket_name(name):
    """Whether S3 accepts `name` for a new general purpose bucket."""
    return bool(NAME.fullmatch(name or "")) and ".." not in name \
        and not _is_ip_address(name) and not name.startswith(RESERVED_PREFIXES) \
        and not name.endswith(RESERVED_SUFFIXES)


_moto_create_bucket = s3_models.S3Backend.create_bucket


def _create_valid_bucket(self, bucket_name, region_name, *args, **kwargs):
    if not valid_bucket_name(bucket_name):
        raise InvalidBucketName()
    return _moto_create_bucket(self, bucket_name, region_name, *args, **kwargs)


s3_models.S3Backend.create_bucket = _create_valid_bucket


INFREQUENT_ACCESS = ("STANDARD_IA", "ONEZONE_IA")
INFREQUENT_ACCESS_MINIMUM_DAYS = 30


def _as_list(value):
    return value if isinstance(value, list) else [value] if value else []


def transition_refusal(rules):
    """S3's InvalidArgument for the first transition to an infrequent-access class earlier than
    30 days in `rules` (the API's shape), or None."""
    for rule in rules or []:
        for transition in _as_list(rule.get("Transition")):
            days, storage = transition.get("Days"), transition.get("StorageClass")
            if storage in INFREQUENT_ACCESS and days is not None \
                    and int(days) < INFREQUENT_ACCESS_MINIMUM_DAYS:
                return InvalidArgumentError(
                    f"'Days' in Transition action must be greater than or equal to "
                    f"{INFREQUENT_ACCESS_MINIMUM_DAYS} for storageClass '{storage}'",
                    "Days", str(days))
    return None


_moto_put_lifecycle = s3_models.S3Backend.put_bucket_lifecycle_configuration


def _put_valid_lifecycle(self, bucket_name, rules):
    refusal = transition_refusal(rules)
    if refusal:
        raise refusal
    return _moto_put_lifecycle(self, bucket_name, rules)


s3_models.S3Backend.put_bucket_lifecycle_configuration = _put_valid_lifecycle


class VersionedBucketNotEmpty(BucketNotEmpty):
    """BucketNotEmpty as S3 words it for a bucket that keeps versions."""

    def __init__(self, bucket_name):
        S3ClientError.__init__(self, VERSIONED_NOT_EMPTY)
        self.bucket_name = bucket_name


def _has_versions(bucket):
    return bucket.versioning_status in ("Enabled", "Suspended")


_moto_delete_bucket = s3_models.S3Backend.delete_bucket


def _delete_empty_bucket(self, bucket_name):
    """moto's delete, but a bucket that still holds keys, versions or delete markers raises
    BucketNotEmpty (moto returned None and left the refusal to its API layer, so a stack's
    bucket went out of the stack while it stayed in S3)."""
    bucket = self.get_bucket(bucket_name)
    if bucket.keys:
        raise VersionedBucketNotEmpty(bucket_name) if _has_versions(bucket) \
            else BucketNotEmpty(bucket_name)
    deleted = _moto_delete_bucket(self, bucket_name)
    _forget_keys(bucket_name)
    return deleted


def _forget_keys(bucket_name):
    """Drops the objects of a deleted bucket from moto's model registry, which still listed
    them (and /moto-api/data.json then failed looking up their bucket)."""
    tracked = s3_models.FakeKey.instances_tracked
    tracked[:] = [key for key in tracked if getattr(key, "bucket_name", None) != bucket_name]


s3_models.S3Backend.delete_bucket = _delete_empty_bucket


# --- the bucket owner condition ------------------------------------------------------------------

def bucket_owner(bucket_name):
    """The account id that owns `bucket_name`, or None when no account has it."""
    found = s3_backends.bucket_accounts.get(bucket_name or "")
    return found[1] if found else None


def _source_bucket(copy_source):
    source = (copy_source or "").lstrip("/")
    return source.split("/", 1)[0] if source else None


def owner_mismatch(params):
    """Whether the request names an expected owner the bucket (or copy source) does not have."""
    checks = [(params.get("ExpectedBucketOwner"), params.get("Bucket")),
              (params.get("ExpectedSourceBucketOwner"), _source_bucket(params.get("CopySource")))]
    for expected, bucket in checks:
        owner = bucket_owner(bucket) if expected and bucket else None
        if owner is not None and owner != expected:
            return True
    return False


class BucketOwnerApplication:
    """WSGI middleware: S3 requests whose expected bucket owner is not the bucket's owner are
    refused with 403 AccessDenied "Access Denied"; the rest pass on."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        exempt = environ.get("PATH_INFO", "").startswith(EXEMPT)
        parsed = None if exempt else wire.parse(environ)
        if parsed is not None and parsed.service == "s3" and owner_mismatch(parsed.params):
            return aws_errors.error(parsed, "AccessDenied", "Access Denied", 403)(
                environ, start_response)
        return self.app(environ, start_response)
