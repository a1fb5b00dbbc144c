"""What AWS publishes about permissions, from the pinned tools (no copy in this repository):

- the CloudFormation resource provider schemas' `handlers.<handler>.permissions`, as cfn-lint
  ships them (cfnlint/data/schemas, read through its schema manager);
- the Service Authorization Reference, as cfn-lint ships it (cfnlint/data/AdditionalSpecs/
  Policies.json: each action's resource types, each resource type's ARN pattern), which is
  what decides whether an action takes `Resource: "*"`;
- the same reference's ARN templates with their variables (`table/${TableName}`), as
  parliament ships them, to build the ARN of a given resource.
"""
import re

import parliament
from cfnlint.data import AdditionalSpecs
from cfnlint.helpers import load_resource
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

SCHEMA_REGION = "us-east-1"
REFERENCE = load_resource(AdditionalSpecs, "Policies.json")
ARN_TEMPLATES = {
    (service["prefix"], resource["resource"].lower()): resource["arn"]
    for service in parliament.iam_definition for resource in service["resources"]
}
# Which resource types an action requires (marked * in the reference), as parliament has them.
REQUIRED = {
    f"{service['prefix']}:{privilege['privilege']}".lower():
        [r["resource_type"][:-1].lower() for r in privilege["resource_types"]
         if r["resource_type"].endswith("*")]
    for service in parliament.iam_definition for privilege in service["privileges"]
}
# The handlers CloudFormation calls in stack operations. `list` serves "summary information
# about multiple resources" (Cloud Control's ListResources), not stacks: "Developing resource
# types", https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-develop.html
STACK_HANDLERS = ("create", "read", "update", "delete")
# Actions whose resource types are all optional, called by cfsign's launches without one, so
# authorized against "*": Service Catalog reads the template by TemplateURL before any stack
# exists.
WITHOUT_RESOURCE = {"cloudformation:GetTemplateSummary"}
# Creations of a resource whose id the service generates, so the request names none of its
# ARN: authorized against "*" (the emulator does the same, tests/emulator/iam_actions.py
# resource_arns), and granted only with an aws:RequestTag condition that binds what is created.
CREATED_WITHOUT_ID = {"servicecatalog:CreatePortfolio", "servicecatalog:CreateProduct"}


def star_allowed(action):
    """Whether `Resource: "*"` is the narrowest resource for `action` as cfsign calls it."""
    return not resource_types(action) or action in WITHOUT_RESOURCE | CREATED_WITHOUT_ID


def handler_permissions(type_name):
    """{handler: [permission, ...]} of a resource type's provider schema."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, type_name).schema
    return {h: v.get("permissions", []) for h, v in schema.get("handlers", {}).items()}


def _action(action):
    service, _, name = action.partition(":")
    return REFERENCE.get(service.lower(), {}).get("Actions", {}).get(name.lower())


def is_action(action):
    """Whether the Service Authorization Reference defines `service:Action`."""
    return _action(action) is not None


def resource_types(action):
    """The resource types an action can be scoped to (lower case); empty: only `*`."""
    info = _action(action)
    if info is None:
        raise KeyError(f"{action} is not in the Service Authorization Reference")
    return [r.lower() for r in info.get("Resources", [])]


def required_resource_types(action):
    """The resource types an action requires; empty: a call may name no resource at all (then
    it is authorized against `*`)."""
    return REQUIRED[action.lower()]


def arn_regexes(service, resource_type):
    """Regular expressions for the ARNs of a resource type, ${Partition}/${Region}/${Account}
    standing for any value of that part."""
    resources = {k.lower(): v for k, v in REFERENCE[service]["Resources"].items()}
    return [re.sub(r"\\\$\\\{(Partition|Region|Account)\\\}", "[^:]*", re.escape(f))
            .replace(r"\.\*", ".*") for f in resources[resource_type]["ARNFormats"]]


def arn_template(service, resource_type):
    """The reference's ARN template of a resource type, variables as ${Name}."""
    if (service, resource_type) in ARN_TEMPLATES:
        return ARN_TEMPLATES[(service, resource_type)]
    formats = {k.lower(): v for k, v in REFERENCE[service]["Resources"].items()}
    return formats[resource_type]["ARNFormats"][0].replace(".*", "${Name}")


def can_match(pattern, action):
    """Whether a Resource pattern of a statement can name a resource `action` acts on."""
    types = resource_types(action)
    if pattern == "*":
        return True
    service = action.split(":")[0].lower()
    sample = pattern.replace("*", "x").replace("?", "x")
    return any(re.fullmatch(regex, sample) for t in types for regex in arn_regexes(service, t))
