"""A resource whose properties its service rejects fails, as the service refuses the API call
its handler makes: the properties become the input of that call (the handler's CreateBucket,
CreateRole, CreateTable, ...; the property names are the API's member names for these types,
and policy documents are sent as JSON text) and are checked against the call's input shape in
botocore's model by the emulator's one request validator (validation.py). A violation fails the
resource with the service's ValidationException / ValidationError / MalformedXML message in the
handler's wording (cfn_stacks.handler_message), HandlerErrorCode InvalidRequest; S3's own
naming rules refuse an invalid bucket name in its backend (s3_rules.py).

Required members are left to CloudFormation's own check of the schema (moto fails the resource
when one is missing); lengths, ranges, patterns and enums are the model's.
"""
import json

import validation
import wire
from cfn_stacks import ResourceFailed, handler_message

# Resource types whose create call takes the properties of the same names.
SAME_NAMED = {
    "AWS::DynamoDB::Table": ("dynamodb", "CreateTable"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "CreateSecret"),
    "AWS::CloudFront::PublicKey": ("cloudfront", "CreatePublicKey"),
    "AWS::CloudFront::KeyGroup": ("cloudfront", "CreateKeyGroup"),
    "AWS::CloudFront::OriginAccessControl": ("cloudfront", "CreateOriginAccessControl"),
}
BUCKET_CONFIGURATIONS = {  # property: (operation, input member)
    "VersioningConfiguration": ("PutBucketVersioning", "VersioningConfiguration"),
    "PublicAccessBlockConfiguration": ("PutPublicAccessBlock", "PublicAccessBlockConfiguration"),
    "OwnershipControls": ("PutBucketOwnershipControls", "OwnershipControls"),
}


def _text(document):
    return document if isinstance(document, str) else json.dumps(document)


def _compact(params):
    return {k: v for k, v in params.items() if v not in (None, "")}


def _same_named(service, operation, properties):
    members = wire.operation_model(service, operation).input_shape.members
    return [(service, operation, {m: properties[m] for m in members if m in properties})]


def _bucket_calls(resource):
    bucket, props = {"Bucket": resource.name}, resource.properties
    calls = [("s3", "CreateBucket", bucket)]
    calls += [("s3", operation, {**bucket, member: props[name]})
              for name, (operation, member) in BUCKET_CONFIGURATIONS.items() if name in props]
    if props.get("Tags"):
        calls.append(("s3", "PutBucketTagging", {**bucket, "Tagging": {"TagSet": props["Tags"]}}))
    return calls


def _role_calls(resource):
    props, name = resource.properties, resource.name
    create = _compact({
        "RoleName": name, "Path": props.get("Path"), "Description": props.get("Description"),
        "PermissionsBoundary": props.get("PermissionsBoundary"), "Tags": props.get("Tags"),
        "AssumeRolePolicyDocument": _text(props.get("AssumeRolePolicyDocument") or {})})
    policies = [("iam", "PutRolePolicy", {"RoleName": name, "PolicyName": p.get("PolicyName"),
                                          "PolicyDocument": _text(p.get("PolicyDocument", {}))})
                for p in props.get("Policies") or []]
    return [("iam", "CreateRole", create)] + policies


def _managed_policy_calls(resource):
    props = resource.properties
    return [("iam", "CreatePolicy", _compact({
        "PolicyName": props.get("ManagedPolicyName") or resource.name.rsplit("/", 1)[-1],
        "Path": props.get("Path"), "Description": props.get("Description"),
        "PolicyDocument": _text(props.get("PolicyDocument") or {})}))]


def api_calls(resource):
    """[(service, operation, input)] the resource's handler calls for its properties."""
    kind = resource.resource_type
    if kind in SAME_NAMED:
        return _same_named(*SAME_NAMED[kind], resource.properties)
    builders = {"AWS::S3::Bucket": _bucket_calls, "AWS::IAM::Role": _role_calls,
                "AWS::IAM::ManagedPolicy": _managed_policy_calls}
    return builders[kind](resource) if kind in builders else []


def check(resource):
    """Raises ResourceFailed when the service's model refuses a call the handler makes."""
    for service, operation, params in api_calls(resource):
        model = wire.operation_model(service, operation)
        protocol = model.service_model.metadata["protocol"]
        parsed = wire.ParsedRequest(service, operation, "json" if protocol.startswith("json")
                                    else protocol, params, resource.region,
                                    operation_model=model)
        found = validation.violations(parsed, without=frozenset({"required"}))
        if found:
            code, message = validation.error_of(parsed, found)
            raise ResourceFailed(resource.logical_id, resource.resource_type,
                                 handler_message(service, code, message, 400),
                                 resource.physical_id)
