"""What cfsign's recipes need from AWS that moto 5.2.5 lacks, added to moto before the server
starts. Test infrastructure written against the AWS API and CloudFormation references; each
addition is tested in test_extension.py.

CloudFormation resource types (moto finds them among CloudFormationModel's direct subclasses):
- AWS::SecretsManager::Secret          Ref: the secret ARN
- AWS::SecretsManager::ResourcePolicy  Ref: the secret id
- AWS::S3::BucketPolicy                Ref: the bucket name
"""
import json
import uuid

from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition
from moto.secretsmanager.models import secretsmanager_backends


def _tags(properties):
    return [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("Tags", [])]


class CfnSecret(CloudFormationModel):
    """AWS::SecretsManager::Secret: a secret with an initial SecretString."""

    # moto's model metaclass files each model under the service named by its module.
    __module__ = "moto.secretsmanager.models"

    def __init__(self, arn, name):
        self.arn = arn
        self.name = name

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::SecretsManager::Secret"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Id",)

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Id":
            return self.arn
        raise NotImplementedError(attribute_name)

    @property
    def physical_resource_id(self):
        return self.arn

    def is_created(self):
        return True

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


class CfnSecretResourcePolicy(CloudFormationModel):
    """AWS::SecretsManager::ResourcePolicy: a secret's resource policy."""

    __module__ = "moto.secretsmanager.models"

    def __init__(self, secret_id):
        self.secret_id = secret_id

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::SecretsManager::ResourcePolicy"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Id":
            return self.secret_id
        raise NotImplementedError(attribute_name)

    @property
    def physical_resource_id(self):
        return self.secret_id

    def is_created(self):
        return True

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
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        # moto may delete the secret first; its policy went with it.
        backend = secretsmanager_backends[account_id][region_name]
        if backend._is_valid_identifier(resource_name):
            backend.delete_resource_policy(resource_name)


class CfnBucketPolicy(CloudFormationModel):
    """AWS::S3::BucketPolicy: a bucket's policy document."""

    __module__ = "moto.s3.models"

    def __init__(self, bucket):
        self.bucket = bucket

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::S3::BucketPolicy"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @property
    def physical_resource_id(self):
        return self.bucket

    def is_created(self):
        return True

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        document = properties["PolicyDocument"]
        if not isinstance(document, str):
            document = json.dumps(document)
        s3_backends[account_id][get_partition(region_name)].put_bucket_policy(properties["Bucket"], document.encode())
        return cls(properties["Bucket"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        # moto may delete the bucket first; its policy went with it.
        backend = s3_backends[account_id][get_partition(region_name)]
        if resource_name in backend.buckets:
            backend.delete_bucket_policy(resource_name)
