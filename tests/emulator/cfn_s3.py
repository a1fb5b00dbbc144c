"""AWS::S3::Bucket as its handler applies it: moto 5.2.5 made the bucket with its encryption and
tags only, so a template's VersioningConfiguration, PublicAccessBlockConfiguration,
OwnershipControls and LifecycleConfiguration never reached S3 (a product bucket was not
versioned, and deleting its stack never met the versions S3 keeps; a lifecycle rule S3 refuses
made a bucket). Each is applied on create and update through moto's S3 backend, as the
handler's PutBucketVersioning, PutPublicAccessBlock, PutBucketOwnershipControls and
PutBucketLifecycleConfiguration calls do (AWS::S3::Bucket resource reference; the property shapes
are the API's, except the lifecycle Rule's, which _lifecycle_rules maps: AWS::S3::Bucket Rule
Id / Prefix / ExpirationInDays / Transitions[].TransitionInDays are the API's ID /
Filter.Prefix / Expiration.Days / Transition[].Days). A call S3 refuses fails the resource with S3's message.
"""
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

import s3_rules

_moto_create = FakeBucket.create_from_cloudformation_json.__func__
_moto_update = FakeBucket.update_from_cloudformation_json.__func__


def _lifecycle_rules(configuration):
    """The API's lifecycle rules for the template's LifecycleConfiguration."""
    rules = []
    for rule in configuration.get("Rules") or []:
        # The handler sends the rule's Prefix as its Filter (an empty prefix: every object).
        api = {"ID": rule.get("Id"), "Status": rule.get("Status"),
               "Filter": {"Prefix": rule.get("Prefix") or ""}}
        if rule.get("ExpirationInDays") is not None:
            api["Expiration"] = {"Days": str(rule["ExpirationInDays"])}
        transitions = list(rule.get("Transitions") or []) + \
            ([rule["Transition"]] if rule.get("Transition") else [])
        if transitions:
            api["Transition"] = [{"Days": str(t.get("TransitionInDays")),
                                  "StorageClass": t.get("StorageClass")} for t in transitions]
        for same in ("NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"):
            if rule.get(same):
                api[same] = {k: str(v) for k, v in rule[same].items()}
        rules.append(api)
    return rules


def _apply(bucket, properties, region_name):
    backend = s3_backends[bucket.account_id][get_partition(region_name)]
    versioning = (properties.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        backend.put_bucket_versioning(bucket.name, versioning)
    if properties.get("PublicAccessBlockConfiguration"):
        backend.put_public_access_block(bucket.name, properties["PublicAccessBlockConfiguration"])
    rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
    if rules:  # moto keeps the rule's ObjectOwnership
        backend.put_bucket_ownership_controls(bucket.name, rules[0]["ObjectOwnership"])
    if properties.get("LifecycleConfiguration"):
        backend.put_bucket_lifecycle_configuration(
            bucket.name, _lifecycle_rules(properties["LifecycleConfiguration"]))
    return bucket


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    # A lifecycle S3 refuses fails the resource before the bucket is made (the handler's
    # create fails and CloudFormation's rollback leaves no bucket).
    lifecycle = cloudformation_json.get("Properties", {}).get("LifecycleConfiguration")
    refusal = lifecycle and s3_rules.transition_refusal(_lifecycle_rules(lifecycle))
    if refusal:
        raise refusal
    bucket = _moto_create(cls, resource_name, cloudformation_json, account_id, region_name,
                          **kwargs)
    return _apply(bucket, cloudformation_json.get("Properties", {}), region_name)


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id,
            region_name):
    bucket = _moto_update(cls, original_resource, new_resource_name, cloudformation_json,
                          account_id, region_name)
    return _apply(bucket, cloudformation_json.get("Properties", {}), region_name)


FakeBucket.create_from_cloudformation_json = classmethod(_create)
FakeBucket.update_from_cloudformation_json = classmethod(_update)
