"""CloudFormation's resource handlers authorized as AWS authorizes them: every call a handler
makes is the call of the stack operation's principal, checked by the emulator's one IAM engine
(iam_enforce.check: identity policies, boundary, the resource's policy) against the
permissions the resource provider schema lists for that handler.

Who the handlers run as ("How do I troubleshoot missing permission errors in CloudFormation?",
AWS re:Post knowledge center; CloudFormation User Guide, "CloudFormation service role"):
- a service that runs the stack operation as a role of its own choosing (Service Catalog with
  a launch constraint: `acting_as`, a session named "servicecatalog");
- else the stack's service role (RoleARN, given now or before), as the session
  "AWSCloudFormation";
- else the credentials of the caller of the stack operation (CreateStack, UpdateStack,
  DeleteStack), which CallerApplication captures for each API request.
The account root (the `testing` key) is exempt, as for API requests (iam_enforce.root_exempt).

What each handler needs: `handlers.<handler>.permissions` of the type's schema, as the pinned
cfn-lint ships them (its schema manager); create for a resource created, read and update for one
updated (read: "CloudFormation invokes this handler as part of a stack update operation when
detailed information about the resource's current state is required", CloudFormation CLI User
Guide, "Developing resource types"), delete for one deleted. A permission that names an API
operation rather than an IAM action is the action that operation needs (iam_actions).

On which resource (Service Authorization Reference, via iam_actions):
- an action with no resource types: `*`;
- an action that takes the resource's own type: the resource's ARN (`*` for the part of it the
  service has not made yet, such as a distribution's id);
- an action on a part of the resource (a bucket's objects): that part, `*` for the rest;
- an action on another resource: each one the properties name (an ARN of that type, a KMS key
  id or alias, IAM entities by name); none named: the handler makes no such call. Route 53
  changes (GetChange) are the ones the handler's own ChangeResourceRecordSets made: `change/*`.
- an action newer than the pinned reference: the resource's ARN if it is of the resource's
  service.

With the condition keys AWS sends on those calls: the global keys of the principal; the
request's keys (iam_actions.request_context, from the properties); kms:ViaService,
kms:CallerAccount and the encryption context DynamoDB uses for a table's key
(kms:EncryptionContext:aws:dynamodb:tableName; "How Amazon DynamoDB uses AWS KMS"), with
kms:GrantIsForAWSResource on its grants; iam:PassedToService for a role passed to the
resource's service; iam:PolicyARN, one call per managed policy attached or detached; Route 53's
record keys (ChangeResourceRecordSetsRecordTypes, ...NormalizedRecordNames, ...Actions: Route 53
Developer Guide, "Using IAM policy conditions for fine-grained access control"). A secret under
a customer key also needs the KMS permissions Secrets Manager uses for its caller
(iam_enforce.secret_key_uses).

A refusal fails the resource with the service's AccessDenied message in the handler's wording
(cfn_stacks.handler_message), so the stack rolls back as cfn_stacks describes.

Not modelled: resource types without handler permissions in their schema (custom resources)
are not checked; nor are permissions for features whose resources the properties do not name.
"""
import contextlib
import contextvars
import re
from dataclasses import dataclass, field
from functools import lru_cache

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from moto.cloudformation import parsing
from moto.cloudformation.models import Stack

import cfn_api_calls
import cfn_stacks
import iam_actions
import iam_enforce
import iam_state
import strict_cost
import wire
from cfn_stacks import ResourceFailed, handler_message, resource_service

SCHEMA_REGION = "us-east-1"
CLOUDFORMATION_SESSION = "AWSCloudFormation"
# A resource type's own resource type in the Service Authorization Reference where it is not
# the type's name (AWS::SNS::Topic: sns topic; AWS::CloudFront::OriginAccessControl:
# cloudfront origin-access-control).
OWN_TYPES = {
    "AWS::S3::BucketPolicy": ("s3", "bucket"),
    "AWS::IAM::ManagedPolicy": ("iam", "policy"),
    "AWS::SecretsManager::ResourcePolicy": ("secretsmanager", "Secret"),
    "AWS::Route53::RecordSet": ("route53", "hostedzone"),
}
# Resources a handler's own call makes, so no property names them.
GENERATED = {("route53", "change")}
# A handler permission that is neither an IAM action nor an operation: the SDKs' name for one.
HANDLER_OPERATIONS = {"s3:GetObjectMetadata": "HeadObject"}
# Properties naming IAM entities by name, and the request parameter that names each.
NAMED_ENTITIES = {"Roles": "RoleName", "Users": "UserName", "Groups": "GroupName"}
ROUTE53_ACTIONS = {"create": "CREATE", "update": "UPSERT", "delete": "DELETE"}
#: The condition keys the handlers' calls carry besides the request's own (_call_keys).
SUPPLIED_KEYS = frozenset({
    "kms:calleraccount", "kms:viaservice", "kms:encryptioncontext:aws:dynamodb:tablename",
    "kms:grantisforawsresource", "iam:passedtoservice", "iam:policyarn",
    "route53:changeresourcerecordsetsrecordtypes",
    "route53:changeresourcerecordsetsnormalizedrecordnames",
    "route53:changeresourcerecordsetsactions"})

_CALLER = contextvars.ContextVar("cfn_caller", default=None)
_LAUNCHER = contextvars.ContextVar("cfn_launcher", default=None)
_PRINCIPAL = contextvars.ContextVar("cfn_principal", default=None)
_HANDLERS = contextvars.ContextVar("cfn_handlers", default=())


# --- who -----------------------------------------------------------------------------------------

class CallerApplication:
    """WSGI middleware: remembers who makes each API request, for the stack operations it
    starts."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        parsed = wire.parse(environ)
        token = _CALLER.set(_principal_of(parsed.access_key) if parsed else None)
        try:
            return self.app(environ, start_response)
        finally:
            _CALLER.reset(token)


def _principal_of(access_key):
    try:
        return iam_state.caller(access_key)
    except iam_state.UnknownCredentials:
        return None


def caller():
    """The principal of the API request being answered (None outside one)."""
    return _CALLER.get()


@contextlib.contextmanager
def acting_as(principal):
    """Stack operations started inside run their handlers as `principal` (a service that runs
    them as a role it chose: Service Catalog's launch role)."""
    token = _LAUNCHER.set(principal)
    try:
        yield principal
    finally:
        _LAUNCHER.reset(token)


def stack_principal(role_arn):
    launcher = _LAUNCHER.get()
    if launcher is not None:
        return launcher
    if role_arn:
        return iam_state.role_session(role_arn, CLOUDFORMATION_SESSION)
    return _CALLER.get()


def _as_stack_principal(operation, role_arn_of):
    def wrapped(stack, *args, **kwargs):
        token = _PRINCIPAL.set(stack_principal(role_arn_of(stack, args, kwargs)))
        try:
            return operation(stack, *args, **kwargs)
        finally:
            _PRINCIPAL.reset(token)
    return wrapped


def _update_role(stack, args, kwargs):
    return (args[1] if len(args) > 1 else kwargs.get("role_arn")) or stack.role_arn


Stack.create_resources = _as_stack_principal(Stack.create_resources, lambda s, a, k: s.role_arn)
Stack.update = _as_stack_principal(Stack.update, _update_role)
Stack.delete = _as_stack_principal(Stack.delete, lambda s, a, k: s.role_arn)


# --- what ----------------------------------------------------------------------------------------

@dataclass
class Handled:
    """One resource as its handlers see it: properties resolved, its name or physical id."""
    resource_type: str
    logical_id: str
    name: str
    properties: dict
    physical_id: str
    region: str
    account: str
    identity: dict = field(default_factory=dict)

    def __post_init__(self):
        self.identity = _identity(self)


@lru_cache(maxsize=None)
def own_type(resource_type):
    """(service prefix, resource type) of the resource in the reference, or None."""
    if resource_type in OWN_TYPES:
        return OWN_TYPES[resource_type]
    service, kind = resource_service(resource_type), resource_type.rsplit("::", 1)[-1]
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower()
    for name in iam_actions.reference(service).get("resources", {}):
        if name.lower() in (kind.lower(), kebab):
            return service, name
    return None


def _identity(resource):
    """The request parameters the handler's calls name the resource by."""
    kind, props = resource.resource_type, resource.properties
    current = resource.physical_id or resource.name
    if kind == "AWS::S3::BucketPolicy":
        return {"Bucket": props.get("Bucket")}
    if kind == "AWS::SecretsManager::ResourcePolicy":
        return {"SecretId": props.get("SecretId")}
    if kind == "AWS::IAM::ManagedPolicy":
        return {"PolicyArn": resource.physical_id} if resource.physical_id else \
            {"PolicyNameWithPath": props.get("Path", "/").lstrip("/") + resource.name}
    if kind == "AWS::Route53::RecordSet":
        return {"HostedZoneId": props.get("HostedZoneId")}
    by_type = {"AWS::S3::Bucket": "Bucket", "AWS::IAM::Role": "RoleName",
               "AWS::DynamoDB::Table": "TableName", "AWS::Lambda::Function": "FunctionName"}
    if kind in by_type:
        return {by_type[kind]: current}
    if kind == "AWS::SecretsManager::Secret":
        return {"SecretId": current, "Name": resource.name}
    name_property = parsing.resource_name_property_from_type(kind)
    return {"Id": resource.physical_id, **({name_property: current} if name_property else {})}


@lru_cache(maxsize=None)
def permissions(resource_type, handler, region=SCHEMA_REGION):
    """The permissions the type's provider schema lists for one handler (none: not checked)."""
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # noqa: BLE001  (cfn-lint has no schema for the type)
        return ()
    return tuple(schema.get("handlers", {}).get(handler, {}).get("permissions", []))


def _actions(permission):
    """[(prefix, action)] that authorize one handler permission."""
    prefix, _, name = permission.partition(":")
    if iam_actions.resource_types(prefix, name) is not None:
        return [(prefix, name)]
    operation = HANDLER_OPERATIONS.get(permission, name)
    return [(prefix, action) for action in iam_actions.action_names(prefix, operation, {})]


def _arns(prefix, resource_type, params, resource):
    return iam_actions.filled_arns(prefix, resource_type, params, resource.region,
                                   resource.account)


# Properties that hold policy documents: the resources they name are what the policy grants,
# not resources the handler calls.
POLICY_DOCUMENTS = ("PolicyDocument", "AssumeRolePolicyDocument")


def _strings(node, key=""):
    """(property name, string value) for every string in a property tree, policy documents
    left out."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name not in POLICY_DOCUMENTS:
                yield from _strings(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


def _referenced(prefix, types, resource):
    """ARNs of resources of `types` the properties name."""
    found = []
    for key, value in _strings(resource.properties):
        if prefix == "kms" and "kms" in key.lower():
            arn = iam_state.kms_key_arn(resource.region, value)
            found += [arn] if arn and "key" in types else []
            continue
        for kind in types:
            if key in NAMED_ENTITIES and prefix == "iam":
                arns, level = _arns(prefix, kind, {NAMED_ENTITIES[key]: value}, resource)
            else:
                arns, level = _arns(prefix, kind, {"Value": value}, resource)
            if level == iam_actions.COMPLETE and arns[0] not in found:
                found += arns
    return found


def _targets(resource, prefix, action):
    """The ARNs a handler's call of `prefix:action` is authorized against ([]: no such call)."""
    types = iam_actions.resource_types(prefix, action)
    own = own_type(resource.resource_type)
    of_own_service = own is not None and own[0] == prefix
    if types is None:
        return _arns(prefix, own[1], resource.identity, resource)[0] if of_own_service else []
    if not types:
        return ["*"]
    if of_own_service and own[1] in types:
        return _arns(prefix, own[1], resource.identity, resource)[0]
    for kind in types:
        arns, level = _arns(prefix, kind, resource.identity, resource)
        if of_own_service and level != iam_actions.NONE:
            return arns  # a part of the resource
    referenced = _referenced(prefix, types, resource)
    if referenced:
        return referenced
    return [arn for kind in types if (prefix, kind) in GENERATED
            for arn in _arns(prefix, kind, {}, resource)[0]]


# --- with which keys -----------------------------------------------------------------------------

def _kms_keys(resource, action):
    keys = {"kms:calleraccount": resource.account}
    if resource.resource_type == "AWS::DynamoDB::Table":
        keys.update({"kms:viaservice": f"dynamodb.{resource.region}.amazonaws.com",
                     "kms:encryptioncontext:aws:dynamodb:tablename":
                         resource.properties.get("TableName", resource.name)})
        if action == "CreateGrant":
            keys["kms:grantisforawsresource"] = "true"
    return keys


def _route53_keys(resource, handler):
    props = resource.properties
    return {"route53:changeresourcerecordsetsrecordtypes": [props.get("Type", "")],
            "route53:changeresourcerecordsetsnormalizedrecordnames":
                [props.get("Name", "").lower().rstrip(".")],
            "route53:changeresourcerecordsetsactions": [ROUTE53_ACTIONS[handler]]}


def _call_keys(resource, handler, prefix, action):
    """[{condition keys}] for each call the handler makes of `prefix:action` ([]: none)."""
    if prefix == "kms":
        return [_kms_keys(resource, action)]
    if (prefix, action) == ("route53", "ChangeResourceRecordSets"):
        return [_route53_keys(resource, handler)]
    if (prefix, action) == ("iam", "PassRole"):
        return [{"iam:passedtoservice":
                 f"{resource_service(resource.resource_type)}.amazonaws.com"}]
    if (prefix, action) in (("iam", "AttachRolePolicy"), ("iam", "DetachRolePolicy")) \
            and resource.resource_type == "AWS::IAM::Role":
        return [{"iam:policyarn": arn}
                for arn in resource.properties.get("ManagedPolicyArns") or []]
    if (prefix, action) in (("iam", "AttachRolePolicy"), ("iam", "DetachRolePolicy")) \
            and resource.resource_type == "AWS::IAM::ManagedPolicy":
        # A managed policy attaches itself to the roles it names (one call per role, each
        # role a target): the policy is its own ARN.
        return [{"iam:policyarn": _managed_policy_arn(resource)}]
    return [{}]


def _managed_policy_arn(resource):
    """The managed policy's ARN: its physical id once it exists, else the one its name makes."""
    if resource.physical_id:
        return resource.physical_id
    path = resource.properties.get("Path", "/")
    return f"arn:aws:iam::{resource.account}:policy{path}{resource.name}"


def _created_tags(resource, handler, prefix, arn):
    """aws:ResourceTag keys of the resource itself for the create handler's calls. They are
    authorized here before the resource exists, but the create gives it its Tags (e.g.
    CreateDistributionWithTags), so the handler's later calls act on a tagged resource."""
    own = own_type(resource.resource_type)
    tags = resource.properties.get("Tags")
    if handler != "create" or own is None or own[0] != prefix or not isinstance(tags, list) \
            or not all(isinstance(t, dict) and "Key" in t for t in tags):
        return {}
    if arn not in _arns(prefix, own[1], resource.identity, resource)[0]:
        return {}
    return iam_state.tag_keys(tags, "aws:resourcetag")


def calls(resource, handler):
    """(action, resource ARN, condition keys) for every call one handler makes."""
    request_params = {**resource.properties, **resource.identity}
    for permission in permissions(resource.resource_type, handler):
        for prefix, action in _actions(permission):
            request_keys = iam_actions.request_context(prefix, action, request_params)
            for arn in _targets(resource, prefix, action):
                created = _created_tags(resource, handler, prefix, arn)
                for keys in _call_keys(resource, handler, prefix, action):
                    yield f"{prefix}:{action}", arn, {**request_keys, **keys, **created}


# --- the decision --------------------------------------------------------------------------------

def _refusal(resource, code, message):
    service = resource_service(resource.resource_type)
    model = wire.service_model(service)
    json_protocol = model is not None and model.metadata.get("protocol") == "json"
    status = 400 if json_protocol else 403
    code = code or ("AccessDeniedException" if json_protocol else "AccessDenied")
    return ResourceFailed(resource.logical_id, resource.resource_type,
                          handler_message(service, code, message, status), resource.physical_id)


def _secret_key_refusal(resource, handler, principal, base):
    """Secrets Manager's own KMS use for the caller, for a secret under a customer key."""
    if resource.resource_type != "AWS::SecretsManager::Secret" or handler == "delete":
        return None
    props = resource.properties
    params = {"Name": resource.name, "SecretId": resource.physical_id or resource.name,
              "KmsKeyId": props.get("KmsKeyId")}
    if handler == "create" and ("SecretString" in props or "GenerateSecretString" in props):
        params["SecretString"] = "(value)"
    operation = "CreateSecret" if handler == "create" else "UpdateSecret"
    parsed = wire.ParsedRequest("secretsmanager", operation, "json",
                                {k: v for k, v in params.items() if v}, resource.region)
    for action, key_id in iam_enforce.secret_key_uses(parsed):
        if not iam_enforce.secret_key_decision(principal, parsed, base, action, key_id).allowed:
            return _refusal(resource, "AccessDeniedException", "Access to KMS is not allowed")
    return None


def authorize(resource, handlers):
    """Raises ResourceFailed when the stack's principal may not make a handler's calls."""
    with strict_cost.rule("handlers"):
        _authorize(resource, handlers)


def authorize_call(resource, action, arn):
    """Raises ResourceFailed when the stack's principal may not make one call of its own for
    `resource` (CloudFormation invoking a custom resource's function)."""
    principal = _PRINCIPAL.get()
    if principal is None or (principal.is_root and iam_enforce.root_exempt()):
        return
    with strict_cost.rule("handlers"):
        base = iam_enforce.global_context(principal, {}, resource.region)
        request, decision = iam_enforce.check(principal, action, arn, base, resource.region)
        if not decision.allowed:
            raise ResourceFailed(resource.logical_id, resource.resource_type,
                                 decision.message(principal, request), resource.physical_id)


def _authorize(resource, handlers):
    principal = _PRINCIPAL.get()
    if principal is None or (principal.is_root and iam_enforce.root_exempt()):
        return
    base = iam_enforce.global_context(principal, {}, resource.region)
    for handler in handlers:
        for action, arn, keys in calls(resource, handler):
            request, decision = iam_enforce.check(principal, action, arn, {**base, **keys},
                                                  resource.region)
            if not decision.allowed:
                message = decision.message(principal, request,
                                           quote_resource=resource_service(
                                               resource.resource_type) == "s3")
                raise _refusal(resource, None, message)
        refused = _secret_key_refusal(resource, handler, principal, base)
        if refused is not None:
            raise refused


# --- the hooks into moto's CloudFormation --------------------------------------------------------

def _physical_id(resource):
    return getattr(resource, "physical_resource_id", None) if resource is not None else None


_moto_parse = parsing.parse_resource_and_generate_name


def _parse_and_authorize(logical_id, resource_json, resources_map):
    parsed = _moto_parse(logical_id, resource_json, resources_map)
    handlers = _HANDLERS.get()
    if parsed is not None and handlers:
        _, cleaned, name = parsed
        existing = resources_map._parsed_resources.get(logical_id)
        resource = Handled(cleaned["Type"], logical_id, name, cleaned.get("Properties") or {},
                           _physical_id(existing) if handlers != ("create",) else None,
                           resources_map._region_name, resources_map._account_id)
        cfn_api_calls.check(resource)
        authorize(resource, handlers)
        resources_map.__dict__.setdefault("cfsign_properties", {})[logical_id] = \
            resource.properties
    return parsed


parsing.parse_resource_and_generate_name = _parse_and_authorize


def _as_handlers(operation, handlers):
    def wrapped(*args, **kwargs):
        token = _HANDLERS.set(handlers)
        try:
            return operation(*args, **kwargs)
        finally:
            _HANDLERS.reset(token)
    return wrapped


parsing.parse_and_create_resource = _as_handlers(parsing.parse_and_create_resource, ("create",))
parsing.parse_and_update_resource = _as_handlers(parsing.parse_and_update_resource,
                                                 ("read", "update"))

_delete_resource = parsing.ResourceMap._delete_resource


def _authorized_delete(self, parsed_resource, resource_json):
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    physical_id = _physical_id(parsed_resource) or ""
    properties = getattr(self, "cfsign_properties", {}).get(
        logical_id, resource_json.get("Properties") or {})
    resource = Handled(resource_json["Type"], logical_id, physical_id, properties, physical_id,
                       self._region_name, self._account_id)
    try:
        authorize(resource, ("delete",))
    except ResourceFailed as failure:
        cfn_stacks.remember_delete_failure(self, failure)
        raise
    _delete_resource(self, parsed_resource, resource_json)


parsing.ResourceMap._delete_resource = _authorized_delete
