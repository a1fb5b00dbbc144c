"""How CloudFormation stack operations end when a resource fails, as CloudFormation reports it
(moto 5.2.5 failed the API call itself, or ignored the failure):

- A resource that fails to create gets a CREATE_FAILED event with the reason; the stack rolls
  back (ROLLBACK_IN_PROGRESS "The following resource(s) failed to create: [X]."), deleting
  what it created, and ends ROLLBACK_COMPLETE with no outputs, or ROLLBACK_FAILED when a
  created resource cannot be deleted.
- A resource that fails to update gets an UPDATE_FAILED event; the stack rolls back to its
  previous template and parameters (the resources the update added go, the ones it changed get
  their previous properties back) and ends UPDATE_ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_FAILED.
- A resource that fails to delete gets a DELETE_FAILED event and stays; the stack ends
  DELETE_FAILED ("The following resource(s) failed to delete: [X]. ") and stays listed with the
  resources it still holds; deleting it again retries.
- A stack in ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETE_FAILED or UPDATE_ROLLBACK_FAILED can
  only be deleted: an update is refused with ValidationError "Stack:ARN is in STATUS state and
  can not be updated." (moto refused ROLLBACK_COMPLETE only, and only through its API, not for
  Service Catalog's updates).

Sources: the CloudFormation User Guide, "Stack status codes" and "Troubleshooting" (rollback on
failure, DELETE_FAILED); the wording of events and refusals as CloudFormation returns them
(F5Networks/f5-aws-cloudformation#52: "The following resource(s) failed to delete: [S3Bucket]. ";
"is in DELETE_FAILED state and can not be updated", quoted in many public issues).

A service's refusal inside a resource handler is reported the way registry handlers report it:
`Resource handler returned message: "MESSAGE (Service: S3, Status Code: 409, Request ID: ...)
(SDK Attempt Count: 1)" (RequestToken: ..., HandlerErrorCode: GeneralServiceException)`
(aws-samples/unishop-monolith-to-microservices#47 for an AccessDenied; the S3 example is a
DELETE_FAILED event of a versioned bucket). The service name is the AWS SDK for Java v2's
(botocore's serviceId in PascalCase: Iam, DynamoDb, SecretsManager).
"""
import re
import uuid

import cfn_resources  # noqa: F401  (its template fixes wrap moto's parsing first)
import wire
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack

NOT_UPDATABLE = ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED",
                 "UPDATE_ROLLBACK_FAILED")
HANDLER_ERROR_CODES = (  # (error code pattern, HandlerErrorCode), first match wins
    (r"AccessDenied.*|UnauthorizedOperation|.*NotAuthorized.*", "AccessDenied"),
    (r"Validation.*|InvalidArgument|InvalidParameter.*|InvalidBucketName|Malformed.*"
     r"|InvalidRequest", "InvalidRequest"),
    (r".*AlreadyExists.*|.*AlreadyOwnedByYou", "AlreadyExists"),
    (r"NoSuch.*|.*NotFound.*", "NotFound"),
    (r"Throttl.*|TooManyRequests.*", "Throttling"),
    (r".*LimitExceeded.*", "ServiceLimitExceeded"),
)


class ResourceFailed(Exception):
    """A resource's create, update or delete failed; carries what the stack event reports."""

    def __init__(self, logical_id, resource_type, reason, physical_id=""):
        super().__init__(reason)
        self.logical_id, self.resource_type, self.reason = logical_id, resource_type, reason
        self.physical_id = physical_id or ""


# --- the handler's message -----------------------------------------------------------------------

def sdk_service_name(service):
    """The AWS SDK for Java v2's name of a botocore service: its serviceId in PascalCase
    ("IAM" -> "Iam", "DynamoDB" -> "DynamoDb", "Secrets Manager" -> "SecretsManager")."""
    model = wire.service_model(service)
    service_id = model.metadata.get("serviceId", service) if model else service
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", service_id)
    return "".join(w[0].upper() + w[1:].lower() for w in words)


def resource_service(resource_type):
    """The botocore service a resource type's handlers call first (AWS::S3::Bucket: s3)."""
    return resource_type.split("::")[1].lower() if resource_type.count("::") == 2 else ""


def _handler_error_code(code):
    return next((handler for pattern, handler in HANDLER_ERROR_CODES
                 if re.fullmatch(pattern, code or "")), "GeneralServiceException")


def handler_message(service, code, message, status):
    """A service's refusal as a resource handler reports it."""
    request_id = uuid.uuid4().hex[:16].upper()
    ids = f"Request ID: {request_id}"
    if service == "s3":
        ids += f", Extended Request ID: {uuid.uuid4().hex}"
    return (f'Resource handler returned message: "{message} (Service: '
            f'{sdk_service_name(service)}, Status Code: {status}, {ids}) (SDK Attempt Count: 1)" '
            f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: {_handler_error_code(code)})")


# S3 errors its model does not list, with their status (S3 API reference, Error responses).
S3_ERROR_STATUSES = {"BucketNotEmpty": 409}


def _status_of(service, code):
    """The HTTP status of a service error code, from the model's error shapes (400 when
    neither the model nor S3's error table lists it)."""
    model = wire.service_model(service)
    for shape in (model.error_shapes if model else []):
        error = shape.metadata.get("error") or {}
        if code in (shape.name, error.get("code")):
            return error.get("httpStatusCode", 400)
    return S3_ERROR_STATUSES.get(code, 400) if service == "s3" else 400


def failure_of(err, logical_id, resource_type, physical_id=""):
    """A ResourceFailed for an exception a handler's call raised."""
    if isinstance(err, ResourceFailed):
        return err
    code, message = getattr(err, "code", None), getattr(err, "message", None)
    if isinstance(code, str) and message:
        service = resource_service(resource_type)
        reason = handler_message(service, code, message, _status_of(service, code))
    else:
        reason = message or str(err) or type(err).__name__
    return ResourceFailed(logical_id, resource_type, reason, physical_id)


def _naming_the_resource(operation):
    def wrapped(logical_id, resource_json, *args, **kwargs):
        try:
            return operation(logical_id, resource_json, *args, **kwargs)
        except Exception as err:
            failure = failure_of(err, logical_id, resource_json.get("Type", ""))
            if failure is err:
                raise
            raise failure from err
    return wrapped


parsing.parse_and_create_resource = _naming_the_resource(parsing.parse_and_create_resource)
parsing.parse_and_update_resource = _naming_the_resource(parsing.parse_and_update_resource)

_moto_delete_resource = parsing.ResourceMap._delete_resource


def remember_delete_failure(resource_map, failure):
    """Keeps a resource's delete failure for the stack's events (moto retries the others and
    raises only the last error)."""
    resource_map.__dict__.setdefault("cfsign_delete_failures", {})[failure.logical_id] = failure


def _delete_resource_or_fail(self, parsed_resource, resource_json):
    """moto's delete of one resource; a failure is remembered and raised as a ResourceFailed
    naming the resource."""
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    try:
        _moto_delete_resource(self, parsed_resource, resource_json)
    except Exception as err:
        failure = failure_of(err, logical_id, resource_json.get("Type", ""),
                             getattr(parsed_resource, "physical_resource_id", ""))
        remember_delete_failure(self, failure)
        if failure is err:
            raise
        raise failure from err
    getattr(self, "cfsign_delete_failures", {}).pop(logical_id, None)


parsing.ResourceMap._delete_resource = _delete_resource_or_fail


# --- stack events --------------------------------------------------------------------------------

def _resource_event(stack, failure, status):
    stack.events.append(Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=failure.logical_id,
        physical_resource_id=failure.physical_id, resource_type=failure.resource_type,
        resource_status=status, resource_status_reason=failure.reason,
        resource_properties=None))


def _delete_failures(resource_map):
    return list(getattr(resource_map, "cfsign_delete_failures", {}).values())


def _failed_list(failures):
    return ", ".join(sorted(f.logical_id for f in failures))


class _NoOutputs(dict):
    exports = []


# --- create --------------------------------------------------------------------------------------

_moto_create_resources = Stack.create_resources


def _roll_back_create(stack):
    """Deletes what the failed create made; ROLLBACK_FAILED when something cannot go."""
    try:
        stack.resource_map.delete()
    except Exception:  # noqa: BLE001  (each failure is an event below)
        pass
    failures = _delete_failures(stack.resource_map)
    for failure in failures:
        _resource_event(stack, failure, "DELETE_FAILED")
    stack.status = "ROLLBACK_FAILED" if failures else "ROLLBACK_COMPLETE"
    stack._add_stack_event(stack.status, resource_status_reason=(
        f"The following resource(s) failed to delete: [{_failed_list(failures)}]. "
        if failures else None))


def _create_resources_or_roll_back(self):
    try:
        _moto_create_resources(self)
    except ResourceFailed as failure:
        _resource_event(self, failure, "CREATE_FAILED")
        self._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to create: [{failure.logical_id}]."))
        _roll_back_create(self)
        self.output_map = _NoOutputs()  # a rolled-back stack has none


Stack.create_resources = _create_resources_or_roll_back

# --- update --------------------------------------------------------------------------------------

_moto_stack_update = Stack.update


def _roll_back_update(stack, previous):
    """Applies the stack's previous template and parameters again."""
    template, parameters, role_arn = previous
    stack.template = template
    stack._parse_template()
    try:
        stack.resource_map.update(stack.template_dict, dict(parameters))
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
    except ResourceFailed as failure:
        _resource_event(stack, failure, "UPDATE_FAILED")
        stack.status = "UPDATE_ROLLBACK_FAILED"
    stack.output_map = stack._create_output_map()
    stack.role_arn = role_arn
    stack._add_stack_event(stack.status)


def _update_or_roll_back(self, template, role_arn=None, parameters=None, tags=None):
    previous = (self.template, dict(self.resource_map.input_parameters or {}), self.role_arn)
    # The role a stack was given stays its role until an update names another
    # (CloudFormation API reference, UpdateStack RoleARN).
    role_arn = role_arn or self.role_arn
    try:
        _moto_stack_update(self, template, role_arn, parameters, tags)
    except ResourceFailed as failure:
        _resource_event(self, failure, "UPDATE_FAILED")
        self._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to update: [{failure.logical_id}]."))
        _roll_back_update(self, previous)


Stack.update = _update_or_roll_back

_moto_update_stack = CloudFormationBackend.update_stack


def _update_stack_unless_failed(self, name, template, role_arn, parameters, tags):
    stack = self.get_stack(name)
    if stack.status in NOT_UPDATABLE:
        raise ValidationError(stack.stack_id, message=f"Stack:{stack.stack_id} is in "
                              f"{stack.status} state and can not be updated.")
    return _moto_update_stack(self, name, template, role_arn, parameters, tags)


CloudFormationBackend.update_stack = _update_stack_unless_failed

# --- delete --------------------------------------------------------------------------------------

def _references(node, names):
    """The logical ids among `names` a template fragment refers to (Ref, Fn::GetAtt, the
    ${X} and ${X.Attr} of Fn::Sub)."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}",
                                                                 str(text)))
            found |= _references(value, names)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item, names)
    return found & names


def _dependencies(resource_json, names):
    depends_on = resource_json.get("DependsOn") or []
    depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
    return (_references(resource_json, names) | set(depends_on)) & names


def _delete_in_dependency_order(self):
    """Deletes the stack's resources (Retain ones left) in reverse dependency order, as
    CloudFormation does: a resource goes only once nothing left refers to it, and what a failed
    resource refers to stays (moto 5.2.5 tried every resource in any order and retried)."""
    names = set(self._resource_json_map)
    remaining = {name for name, body in self._resource_json_map.items()
                 if body.get("DeletionPolicy") != "Retain"
                 and self._parsed_resources.get(name) is not None
                 and not isinstance(self._parsed_resources.get(name), str)}
    depends = {name: _dependencies(self._resource_json_map[name], names) for name in remaining}
    failed, last_error = set(), None
    while True:
        ready = [name for name in sorted(remaining - failed)
                 if not any(name in depends[other] for other in remaining if other != name)]
        if not ready:
            break
        for name in ready:
            try:
                self._delete_resource(self._parsed_resources[name], self._resource_json_map[name])
            except Exception as err:  # noqa: BLE001  (remembered; raised below)
                failed.add(name)
                last_error = err
            else:
                self._parsed_resources.pop(name)
                remaining.discard(name)
    if remaining:
        raise last_error or ResourceFailed(sorted(remaining)[0], "", "not deleted")


parsing.ResourceMap.delete = _delete_in_dependency_order


class StackDeleteFailed(Exception):
    """A stack's delete left resources behind: the stack is DELETE_FAILED."""


_moto_stack_delete = Stack.delete


def _delete_or_fail(self):
    try:
        _moto_stack_delete(self)
    except ResourceFailed:
        failures = _delete_failures(self.resource_map)
        for failure in failures:
            _resource_event(self, failure, "DELETE_FAILED")
        self.status = "DELETE_FAILED"
        self._add_stack_event("DELETE_FAILED", resource_status_reason=(
            f"The following resource(s) failed to delete: [{_failed_list(failures)}]. "))
        raise StackDeleteFailed(self.stack_id)


Stack.delete = _delete_or_fail

_moto_delete_stack = CloudFormationBackend.delete_stack


def _delete_stack_or_keep_it(self, name_or_stack_id):
    """moto's delete; a stack whose delete failed stays listed (moto dropped it first)."""
    stack = next((s for s in self.stacks.values()
                  if name_or_stack_id in (s.stack_id, s.name)), None)
    try:
        _moto_delete_stack(self, name_or_stack_id)
    except StackDeleteFailed:
        self.stacks[stack.stack_id] = stack


CloudFormationBackend.delete_stack = _delete_stack_or_keep_it
