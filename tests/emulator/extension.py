"""What cfsign's recipes need from AWS that moto 5.2.5 lacks, added to moto before the server
starts. Test infrastructure written against the AWS API and CloudFormation references; each
addition is tested in test_extension.py.

CloudFormation resource types (moto finds them among CloudFormationModel's direct subclasses):
- AWS::SecretsManager::Secret          Ref: the secret ARN
- AWS::SecretsManager::ResourcePolicy  Ref: the secret id
- AWS::S3::BucketPolicy                Ref: the bucket name
- AWS::CloudFront::PublicKey           Ref: the public key id (a URL's Key-Pair-Id)
- AWS::CloudFront::KeyGroup            Ref: the key group id; its key list updates in place

Template semantics:
- `!If [cond, x, !Ref AWS::NoValue]` inside a list removes the element, as CloudFormation
  does; moto 5.2.5 left a None in its place (key groups and policy statements need this).
- A stack update re-evaluates conditions, as CloudFormation does: a resource whose condition
  turns true is created, one whose condition turns false is deleted (after the resources
  that referred to it are updated), and resources built with Fn::If are updated. moto 5.2.5
  only compared template text and directly referenced parameters, so filling or emptying a
  key slot changed nothing.
"""
import json
import uuid

from moto.cloudformation import parsing
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition
from moto.secretsmanager.models import secretsmanager_backends


_moto_clean_json = parsing.clean_json


def _clean_json_dropping_no_value(resource_json, resources_map):
    # moto's clean_json recurses through the module attribute, so list elements come back
    # through here too and every nesting level is covered.
    cleaned = _moto_clean_json(resource_json, resources_map)
    if isinstance(resource_json, list):
        return [item for item in cleaned if item is not None]
    return cleaned


parsing.clean_json = _clean_json_dropping_no_value

_moto_update = parsing.ResourceMap.update


def _uses_conditions(resource_json):
    text = json.dumps(resource_json)
    return '"Fn::If"' in text or '"Condition"' in text


def _update_with_conditions(self, template, parameters=None):
    before = {name: res for name, res in self._parsed_resources.items() if res is not None}
    _moto_update(self, template, parameters)
    resources = template["Resources"]

    def wanted(name):
        condition = resources[name].get("Condition")
        return condition is None or bool(self.lazy_condition_map[condition])

    # Create what is now wanted and missing.
    for name in resources:
        if wanted(name) and self._parsed_resources.get(name) is None:
            self._parsed_resources.pop(name, None)
            _ = self[name]
    # Update what depends on conditions, so references to retiring resources go first.
    for name, resource_json in resources.items():
        if wanted(name) and _uses_conditions(resource_json.get("Properties", {})):
            self._parsed_resources[name] = parsing.parse_and_update_resource(
                name, resource_json, self, account_id=self._account_id,
                region_name=self._region_name)
    # Delete what is no longer wanted.
    for name, resource in before.items():
        if name in resources and not wanted(name):
            self._delete_resource(resource, resources[name])
            self._parsed_resources.pop(name, None)


parsing.ResourceMap.update = _update_with_conditions


def _tags(properties):
    return [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("Tags", [])]


def _cloudfront(account_id, region_name):
    return cloudfront_backends[account_id][get_partition(region_name)]


def _s3(account_id, region_name):
    return s3_backends[account_id][get_partition(region_name)]


class _Resource:
    """What every added resource type shares (mixed in before CloudFormationModel, which moto
    requires as a direct base): created at once, `Ref` is `self.ref`, `Fn::GetAtt` reads
    ATTRIBUTES, and an update applies the new properties by creating again (right for
    policies, which replace what they had)."""

    ATTRIBUTES = {}

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name):
        if attribute_name not in self.ATTRIBUTES:
            raise NotImplementedError(attribute_name)
        return self.ATTRIBUTES[attribute_name](self)

    @property
    def physical_resource_id(self):
        return self.ref

    def is_created(self):
        return True

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)


class CfnSecret(_Resource, CloudFormationModel):
    """AWS::SecretsManager::Secret: a secret with an initial SecretString."""

    # moto's model metaclass files each model under the service named by its module.
    __module__ = "moto.secretsmanager.models"
    ATTRIBUTES = {"Id": lambda self: self.ref}

    def __init__(self, arn, name):
        self.ref = arn
        self.name = name

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::SecretsManager::Secret"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        if "GenerateSecretString" in properties:
            secret_string = uuid.uuid4().hex  # CloudFormation generates a random value
        else:
            secret_string = properties.get("SecretString")
        name = properties.get("Name") or resource_name
        backend = secretsmanager_backends[account_id][region_name]
        backend.create_secret(
            name=name,
            secret_string=secret_string,
            secret_binary=None,
            description=properties.get("Description"),
            tags=_tags(properties),
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return cls(backend.describe_secret(name).arn, name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        properties = cloudformation_json.get("Properties", {})
        name = properties.get("Name") or new_resource_name
        if name != original_resource.name:
            cls.delete_from_cloudformation_json(original_resource.name, {}, account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                       account_id, region_name)
        # As on AWS, an unchanged SecretString leaves the current value (written later by
        # cfsign with PutSecretValue) alone.
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        backend = secretsmanager_backends[account_id][region_name]
        backend.delete_secret(secret_id=resource_name, recovery_window_in_days=None,
                              force_delete_without_recovery=True)


class CfnSecretResourcePolicy(_Resource, CloudFormationModel):
    """AWS::SecretsManager::ResourcePolicy: a secret's resource policy."""

    __module__ = "moto.secretsmanager.models"
    ATTRIBUTES = {"Id": lambda self: self.ref}

    def __init__(self, secret_id):
        self.ref = secret_id

    @staticmethod
    def cloudformation_type():
        return "AWS::SecretsManager::ResourcePolicy"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        policy = properties["ResourcePolicy"]
        if not isinstance(policy, str):
            policy = json.dumps(policy)
        secretsmanager_backends[account_id][region_name].put_resource_policy(
            properties["SecretId"], policy)
        return cls(properties["SecretId"])

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        # moto may delete the secret first; its policy went with it.
        backend = secretsmanager_backends[account_id][region_name]
        if backend._is_valid_identifier(resource_name):
            backend.delete_resource_policy(resource_name)


class CfnBucketPolicy(_Resource, CloudFormationModel):
    """AWS::S3::BucketPolicy: a bucket's policy document."""

    __module__ = "moto.s3.models"

    def __init__(self, bucket):
        self.ref = bucket

    @staticmethod
    def cloudformation_type():
        return "AWS::S3::BucketPolicy"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        document = properties["PolicyDocument"]
        if not isinstance(document, str):
            document = json.dumps(document)
        _s3(account_id, region_name).put_bucket_policy(properties["Bucket"], document.encode())
        return cls(properties["Bucket"])

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        # moto may delete the bucket first; its policy went with it.
        backend = _s3(account_id, region_name)
        if resource_name in backend.buckets:
            backend.delete_bucket_policy(resource_name)


class CfnPublicKey(_Resource, CloudFormationModel):
    """AWS::CloudFront::PublicKey: a public key signed URLs name as Key-Pair-Id. The key is
    immutable, so a changed EncodedKey replaces the resource (a new id)."""

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
        if config["EncodedKey"].strip() != original_resource.key.encoded_key.strip():
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name)
            _cloudfront(account_id, region_name).delete_public_key(original_resource.ref)
            return replacement
        original_resource.key.comment = config.get("Comment", "")
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        _cloudfront(account_id, region_name).delete_public_key(resource_name)


class CfnKeyGroup(_Resource, CloudFormationModel):
    """AWS::CloudFront::KeyGroup: the public keys a distribution trusts. Updating its items
    keeps its id, as on AWS, so the distribution keeps trusting the same group."""

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
        group = _cloudfront(account_id, region_name).create_key_group(
            name=config["Name"], items=list(config.get("Items", [])))
        return cls(group)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        config = cloudformation_json["Properties"]["KeyGroupConfig"]
        original_resource.group.items = list(config.get("Items", []))
        original_resource.group.name = config["Name"]
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        _cloudfront(account_id, region_name).key_groups.pop(resource_name, None)
