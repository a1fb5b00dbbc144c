"""AWS::S3::Bucket as its handler applies it: moto 5.2.5 made the bucket with its encryption and
tags only, so a template's VersioningConfiguration, PublicAccessBlockConfiguration and
OwnershipControls never reached S3 (a product bucket was not versioned, and deleting its stack
never met the versions S3 keeps). Each is applied on create and update through moto's S3
backend, as the handler's PutBucketVersioning, PutPublicAccessBlock and
PutBucketOwnershipControls calls do (AWS::S3::Bucket resource reference; the property shapes
are the API's, AWS::S3::Bucket VersioningConfiguration / PublicAccessBlockConfiguration /
OwnershipControls).
"""
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

_moto_create = FakeBucket.create_from_cloudformation_json.__func__
_moto_update = FakeBucket.update_from_cloudformation_json.__func__


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
    return bucket


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
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
