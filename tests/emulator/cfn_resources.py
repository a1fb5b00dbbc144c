"""CloudFormation support moto 5.2.5 lacks for cfsign's products: resource types and two fixes
to template semantics. Test infrastructure written against the CloudFormation reference; tested
in test_extension.py.

Resource types (moto finds them among CloudFormationModel's direct subclasses):
- AWS::SecretsManager::Secret          Ref: the secret ARN
- AWS::SecretsManager::ResourcePolicy  Ref: the secret id
- AWS::S3::BucketPolicy                Ref: the bucket name
(CloudFront's resource types are in cloudfront_resources.py.)

Fixes:
- An AWS::IAM::Role's inline policies are stored as JSON, as IAM returns them; moto 5.2.5
  stored the Python repr of the template's dict.
- A stack update applies an AWS::IAM::Role's Policies (each one put, those gone deleted), its
  AssumeRolePolicyDocument and Description, as the resource's update handler does; moto 5.2.5
  changed only the description, so a role kept the permissions it was created with.
- An AWS::DynamoDB::Table's DeletionProtectionEnabled given as text (a template parameter) is
  a boolean, as CloudFormation converts it; moto 5.2.5 kept the string, which broke
  DescribeTable for the SDKs. Turning it off is an update in place (moto had no table update).

How a stack ends when a resource fails is cfn_stacks.py's; how handlers are authorized,
cfn_handlers.py's.

API:
- ValidateTemplate lists the template's parameters with their defaults, as CloudFormation
  does; moto 5.2.5 returned none (cfsign compares a stack's parameters with the defaults to
  skip an unchanged deploy).
- DescribeStacks shows a CommaDelimitedList parameter as its text ("a,b"), as CloudFormation
  does; moto 5.2.5 showed a Python list ("['a', 'b']").
- UsePreviousValue keeps a parameter that took its default, as CloudFormation does; moto 5.2.5
  only knew the values given explicitly and failed with a KeyError.

Template semantics:
- `!Condition NAME` in YAML is `{"Condition": NAME}`, the condition reference Fn::And, Fn::Or
  and Fn::Not take, as CloudFormation reads it; moto 5.2.5 made it `{"Fn::Condition": NAME}`,
  which its condition evaluation took for false.
- `!If [cond, x, !Ref AWS::NoValue]` inside a list removes the element, as CloudFormation
  does; moto 5.2.5 left a None in its place (key groups and policy statements need this).
- A stack update re-evaluates conditions, as CloudFormation does: a resource whose condition
  turns true is created, one whose condition turns false is deleted (after the resources
  that referred to it are updated; one with DeletionPolicy Retain leaves the stack and stays),
  and resources built with Fn::If are updated. moto 5.2.5
  only compared template text and directly referenced parameters, so filling or emptying a
  key slot changed nothing. It also tried to update resources whose condition is false.
"""
import json
import uuid

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models.table import Table
from moto.iam.models import Role
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition
from moto.secretsmanager.models import secretsmanager_backends


_moto_yaml_tag_constructor = cfn_utils.yaml_tag_constructor


def _yaml_tag_constructor(loader, tag, node):
    if tag == "!Condition":
        return {"Condition": node.value}
    return _moto_yaml_tag_constructor(loader, tag, node)


# moto registers the constructor again before each template it reads, by these names.
cfn_models.yaml_tag_constructor = _yaml_tag_constructor
cfn_responses.yaml_tag_constructor = _yaml_tag_constructor

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
    # Delete what is no longer wanted (a Retain deletion policy keeps it, out of the stack).
    for name, resource in before.items():
        if name in resources and not wanted(name):
            if resources[name].get("DeletionPolicy") != "Retain":
                self._delete_resource(resource, resources[name])
            self._parsed_resources.pop(name, None)


parsing.ResourceMap.update = _update_with_conditions

_moto_parse_and_update = parsing.parse_and_update_resource


def _update_only_wanted(logical_id, resource_json, resources_map, *args, **kwargs):
    # moto updated a resource whose condition is false (never created), and failed on it.
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    return _moto_parse_and_update(logical_id, resource_json, resources_map, *args, **kwargs)


parsing.parse_and_update_resource = _update_only_wanted


_moto_validate_template = CloudFormationResponse.validate_template


def _validate_template_with_parameters(self):
    result = _moto_validate_template(self)
    body = self._get_param("TemplateBody")
    if body:
        declared = Stack.parse_template(body).get("Parameters") or {}
        result.result["Parameters"] = [
            {"ParameterKey": name, "DefaultValue": str(spec["Default"]) if "Default" in spec
             else None, "NoEcho": str(spec.get("NoEcho", "false")).lower() == "true",
             "Description": spec.get("Description", "")}
            for name, spec in declared.items()]
    return result


CloudFormationResponse.validate_template = _validate_template_with_parameters


def _resolve_update_parameters(self, instance, incoming_params):
    previous = dict(getattr(instance, "stack_parameters", None) or instance.parameters)
    resolved = {}
    for parameter in incoming_params:
        key = parameter["ParameterKey"]
        if parameter.get("UsePreviousValue", False):
            if key in previous:
                # A CommaDelimitedList's previous value is the text it was given (DescribeStacks
                # shows it so); moto keeps the parsed list for stacks the backend made directly.
                value = previous[key]
                resolved[key] = ",".join(value) if isinstance(value, list) else value
        elif "ParameterValue" in parameter:
            resolved[key] = parameter["ParameterValue"]
    return resolved


CloudFormationBackend._resolve_update_parameters = _resolve_update_parameters

_moto_parameter_list = Stack.parameter_list.fget


def _parameter_list_as_text(self):
    listed = _moto_parameter_list(self)
    for parameter in listed:
        if isinstance(parameter["ParameterValue"], list):
            parameter["ParameterValue"] = ",".join(parameter["ParameterValue"])
    return listed


Stack.parameter_list = property(_parameter_list_as_text)

_moto_put_policy = Role.put_policy


def _put_policy_as_json(self, policy_name, policy_json):
    if not isinstance(policy_json, str):
        policy_json = json.dumps(policy_json)
    _moto_put_policy(self, policy_name, policy_json)


Role.put_policy = _put_policy_as_json


def _update_role(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                 region_name):
    properties = cloudformation_json["Properties"]
    role = original_resource
    trust = properties["AssumeRolePolicyDocument"]
    role.assume_role_policy_document = trust if isinstance(trust, str) else json.dumps(trust)
    role.description = properties.get("Description", "")
    wanted = {p["PolicyName"]: p["PolicyDocument"] for p in properties.get("Policies", [])}
    for name in [name for name in role.policies if name not in wanted]:
        role.delete_policy(name)
    for name, document in wanted.items():
        role.put_policy(name, document)
    return role


Role.update_from_cloudformation_json = classmethod(_update_role)

_moto_create_table = Table.create_from_cloudformation_json.__func__


def _table_booleans(properties):
    if isinstance(properties.get("DeletionProtectionEnabled"), str):
        properties["DeletionProtectionEnabled"] = \
            properties["DeletionProtectionEnabled"].lower() == "true"
    return properties


def _create_table_with_booleans(cls, resource_name, cloudformation_json, *args, **kwargs):
    _table_booleans(cloudformation_json.get("Properties", {}))
    return _moto_create_table(cls, resource_name, cloudformation_json, *args, **kwargs)


def _update_table(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                  region_name):
    """Deletion protection and billing mode change in place, as on AWS; a new name or key
    schema replaces the table (which deletion protection then refuses, as on AWS). A new key
    schema under the same TableName cannot replace it: CloudFormation makes the replacement
    before it deletes the original, and two tables cannot share a name ("CloudFormation cannot
    update a stack when a custom-named resource requires replacing", CloudFormation User
    Guide, "Update behaviors of stack resources" and the Name type's documentation: "If you
    specify a name, you cannot perform updates that require replacement of this resource")."""
    from cfn_stacks import ResourceFailed
    properties = _table_booleans(cloudformation_json.get("Properties", {}))
    renamed = properties.get("TableName", original_resource.name) != original_resource.name
    rekeyed = properties.get("KeySchema") != original_resource.schema
    if rekeyed and not renamed and "TableName" in properties:
        raise ResourceFailed(new_resource_name, "AWS::DynamoDB::Table", (
            "CloudFormation cannot update a stack when a custom-named resource requires "
            f"replacing. Rename {original_resource.name} and update the stack again."),
            original_resource.name)
    if renamed or rekeyed:
        from moto.dynamodb.models import dynamodb_backends
        dynamodb_backends[account_id][region_name].delete_table(name=original_resource.name)
        return _create_table_with_booleans(cls, new_resource_name, cloudformation_json,
                                           account_id, region_name)
    original_resource.deletion_protection_enabled = properties.get(
        "DeletionProtectionEnabled", False)
    if "BillingMode" in properties:
        original_resource.billing_mode = properties["BillingMode"]
    return original_resource


Table.create_from_cloudformation_json = classmethod(_create_table_with_booleans)
Table.update_from_cloudformation_json = classmethod(_update_table)


def _tags(properties):
    return [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("Tags", [])]


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
