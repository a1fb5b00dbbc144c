"""The CloudFormation resource types of CloudFront that cfsign's products use, stored in moto's
CloudFront backend, so the API, the edge and the stacks see the same resources, and every
create, update and delete goes through the account's rules (cloudfront_account.py). Written
against the resource provider schemas cfn-lint ships (none of these has a create-only property
except AWS::CloudFront::Function's Name, so a change is an update in place) and the CloudFront
API reference.

- AWS::CloudFront::PublicKey            Ref: the key id (a URL's Key-Pair-Id). An update may
                                        change only the comment: a new EncodedKey, Name or
                                        CallerReference fails as CloudFormation reports it
                                        ("Invalid request provided: AWS::CloudFront::PublicKey",
                                        aws-cloudformation/cloudformation-coverage-roadmap#924)
- AWS::CloudFront::KeyGroup             Ref: the group id; items update in place
- AWS::CloudFront::OriginAccessControl  Ref and Id: the OAC id
- AWS::CloudFront::ResponseHeadersPolicy  Ref and Id: the policy id; the edge applies it
- AWS::CloudFront::Function             Ref and FunctionARN: the function's ARN; Stage LIVE
                                        once published (AutoPublish); the edge runs it
- AWS::CloudFront::Distribution         Ref: the distribution id; DomainName; behaviors,
                                        trusted key groups, origin access controls, response
                                        headers policies and function associations as the
                                        edge uses them; an update keeps the id and domain name
"""
import uuid

from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

import cloudfront_account as account
from cfn_resources import _Resource, _tags

RUNTIMES = ("cloudfront-js-1.0", "cloudfront-js-2.0")


def _cloudfront(account_id, region_name):
    return cloudfront_backends[account_id][get_partition(region_name)]


class CfnPublicKey(_Resource, CloudFormationModel):
    """AWS::CloudFront::PublicKey: a public key signed URLs name as Key-Pair-Id."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"Id": lambda self: self.ref,
                  "CreatedTime": lambda self: str(self.key.created_time)}

    def __init__(self, key):
        self.key = key
        self.ref = key.id

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::PublicKey"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        config = cloudformation_json["Properties"]["PublicKeyConfig"]
        key = _cloudfront(account_id, region_name).create_public_key(
            caller_ref=config["CallerReference"], name=config["Name"],
            encoded_key=config["EncodedKey"])
        key.comment = config.get("Comment", "")
        return cls(key)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        config = cloudformation_json["Properties"]["PublicKeyConfig"]
        try:
            account.update_public_key(_cloudfront(account_id, region_name),
                                      original_resource.ref, config)
        except CloudFrontException as refused:
            raise CloudFrontException(refused.code, "Invalid request provided: "
                                      f"AWS::CloudFront::PublicKey ({refused.message})")
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        _cloudfront(account_id, region_name).delete_public_key(resource_name)


class CfnKeyGroup(_Resource, CloudFormationModel):
    """AWS::CloudFront::KeyGroup: the public keys a distribution trusts. Updating its items
    keeps its id, so the distribution keeps trusting the same group; the edge sees the change
    after the propagation delay."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"Id": lambda self: self.ref, "LastModifiedTime": lambda self: ""}

    def __init__(self, group):
        self.group = group
        self.ref = group.id

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::KeyGroup"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        config = cloudformation_json["Properties"]["KeyGroupConfig"]
        return cls(_cloudfront(account_id, region_name).create_key_group(
            name=config["Name"], items=list(config.get("Items", []))))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        config = cloudformation_json["Properties"]["KeyGroupConfig"]
        account.update_key_group(_cloudfront(account_id, region_name), original_resource.ref,
                                 config["Name"], list(config.get("Items", [])))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        account.delete_key_group(_cloudfront(account_id, region_name), resource_name)


class CfnOriginAccessControl(_Resource, CloudFormationModel):
    """AWS::CloudFront::OriginAccessControl: how the distribution signs its origin requests."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"Id": lambda self: self.ref}

    def __init__(self, control):
        self.control = control
        self.ref = control.id

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::OriginAccessControl"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
        return cls(_cloudfront(account_id, region_name).create_origin_access_control(config))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
        backend = _cloudfront(account_id, region_name)
        account.require_unique_name(
            {c.name for c in backend.origin_access_controls.values()
             if c.id != original_resource.ref}, config.get("Name"),
            "OriginAccessControlAlreadyExists", "An origin access control")
        original_resource.control.update(config)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        _cloudfront(account_id, region_name).delete_origin_access_control(resource_name)


class CfnResponseHeadersPolicy(_Resource, CloudFormationModel):
    """AWS::CloudFront::ResponseHeadersPolicy: the headers the edge adds to a behavior's
    responses (response_headers.py applies them)."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"Id": lambda self: self.ref, "LastModifiedTime": lambda self: ""}

    def __init__(self, policy):
        self.policy = policy
        self.ref = policy.id

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::ResponseHeadersPolicy"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        config = cloudformation_json["Properties"]["ResponseHeadersPolicyConfig"]
        return cls(account.create_response_headers_policy(
            _cloudfront(account_id, region_name), config))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        account.update_response_headers_policy(
            _cloudfront(account_id, region_name), original_resource.ref,
            cloudformation_json["Properties"]["ResponseHeadersPolicyConfig"])
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        account.delete_response_headers_policy(_cloudfront(account_id, region_name),
                                               resource_name)


class CfnFunction(_Resource, CloudFormationModel):
    """AWS::CloudFront::Function: a CloudFront Function, published to LIVE when AutoPublish is
    true (only a LIVE function can be associated with a behavior)."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"FunctionARN": lambda self: self.function.arn,
                  "FunctionMetadata.FunctionARN": lambda self: self.function.arn,
                  "Stage": lambda self: self.function.stage}

    def __init__(self, function):
        self.function = function
        self.ref = function.arn

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::Function"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def _apply(function, properties):
        if properties["FunctionConfig"].get("Runtime") not in RUNTIMES:
            account.refuse("InvalidArgument", f"The runtime must be one of {list(RUNTIMES)}.")
        function.config = dict(properties["FunctionConfig"])
        function.code = properties["FunctionCode"].encode()
        if str(properties.get("AutoPublish", False)).lower() == "true":
            function.stage, function.status = "LIVE", "DEPLOYED"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        function = _cloudfront(account_id, region_name).create_function(
            properties.get("Name") or resource_name, dict(properties["FunctionConfig"]),
            properties["FunctionCode"], _tags(properties))
        cls._apply(function, properties)
        return cls(function)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        properties = cloudformation_json["Properties"]
        if properties.get("Name", original_resource.function.name) != \
                original_resource.function.name:
            cls.delete_from_cloudformation_json(original_resource.ref, {}, account_id,
                                                region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                       account_id, region_name)
        cls._apply(original_resource.function, properties)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        backend = _cloudfront(account_id, region_name)
        name = resource_name.rsplit("/", 1)[-1]
        if name in backend.functions:
            backend.delete_function(name, if_match=True)


def _api_list(items):
    return {"Quantity": len(items), "Items": list(items)}


def _api_behavior(behavior):
    """A CloudFormation cache behavior in the API's shape (lists become Items/Quantity)."""
    lists = ("AllowedMethods", "CachedMethods", "TrustedKeyGroups", "FunctionAssociations")
    api = {k: v for k, v in behavior.items() if k not in lists}
    api["AllowedMethods"] = {
        "Items": list(behavior.get("AllowedMethods", ["GET", "HEAD"])),
        "CachedMethods": {"Items": list(behavior.get("CachedMethods", ["GET", "HEAD"]))},
    }
    groups = list(behavior.get("TrustedKeyGroups", []))
    api["TrustedKeyGroups"] = {"Enabled": bool(groups), "Items": groups}
    api["FunctionAssociations"] = _api_list(
        [{"FunctionARN": a["FunctionARN"], "EventType": a["EventType"]}
         for a in behavior.get("FunctionAssociations", [])])
    return api


def _api_distribution_config(config):
    """A CloudFormation DistributionConfig in the shape moto's API model takes."""
    certificate = config.get("ViewerCertificate", {})
    behaviors = [_api_behavior(b) for b in config.get("CacheBehaviors", [])]
    return {
        "CallerReference": str(uuid.uuid4()),
        "Comment": config.get("Comment", ""),
        "Enabled": config.get("Enabled", True),
        "Aliases": {"Items": list(config.get("Aliases", []))},
        "Origins": {"Items": [dict(o) for o in config["Origins"]]},
        "DefaultCacheBehavior": _api_behavior(config["DefaultCacheBehavior"]),
        "CacheBehaviors": {"Quantity": len(behaviors), "Items": behaviors},
        "ViewerCertificate": {
            "ACMCertificateArn": certificate.get("AcmCertificateArn", ""),
            "SSLSupportMethod": certificate.get("SslSupportMethod", "sni-only"),
            "MinimumProtocolVersion": certificate.get("MinimumProtocolVersion", "TLSv1"),
            "CloudFrontDefaultCertificate": "AcmCertificateArn" not in certificate,
        },
        "PriceClass": config.get("PriceClass", "PriceClass_All"),
        "HttpVersion": config.get("HttpVersion", "http2"),
        "IsIPV6Enabled": config.get("IPV6Enabled", True),
        "WebACLId": config.get("WebACLId", ""),
    }


def _keep_what_moto_drops(distribution, config):
    """moto's models drop an origin's OriginAccessControlId and a behavior's function
    associations (`config` is the template's DistributionConfig); the edge needs both."""
    by_id = {o["Id"]: o.get("OriginAccessControlId", "") for o in config["Origins"]}
    for origin in distribution.distribution_config.Origins["Items"]:
        origin.origin_access_control_id = by_id.get(origin.id, "")
    configs = [config["DefaultCacheBehavior"]] + list(config.get("CacheBehaviors", []))
    for behavior, behavior_config in zip(account.behaviors(distribution), configs):
        behavior.function_items = list(behavior_config.get("FunctionAssociations", []))


class CfnDistribution(_Resource, CloudFormationModel):
    """AWS::CloudFront::Distribution, stored in moto's CloudFront model (so GetDistribution and
    the edge see it). An update keeps the id and domain name, as on AWS."""

    __module__ = "moto.cloudfront.models"
    ATTRIBUTES = {"Id": lambda self: self.ref,
                  "DomainName": lambda self: self.distribution.domain_name}

    def __init__(self, distribution):
        self.distribution = distribution
        self.ref = distribution.id

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::Distribution"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        config = properties["DistributionConfig"]
        distribution, _, _ = _cloudfront(account_id, region_name).create_distribution(
            _api_distribution_config(config), _tags(properties))
        _keep_what_moto_drops(distribution, config)
        return cls(distribution)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        properties = cloudformation_json["Properties"]
        config = properties["DistributionConfig"]
        cloudfront = _cloudfront(account_id, region_name)
        distribution, _, _ = cloudfront.update_distribution(
            _api_distribution_config(config), original_resource.ref, if_match=True)
        _keep_what_moto_drops(distribution, config)
        # The handler converges the tags too (TagResource, UntagResource).
        cloudfront.tagger.delete_all_tags_for_resource(distribution.arn)
        cloudfront.tagger.tag_resource(distribution.arn, _tags(properties))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        _cloudfront(account_id, region_name).distributions.pop(resource_name, None)
