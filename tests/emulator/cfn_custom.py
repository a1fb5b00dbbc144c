"""Lambda-backed custom resources (`Custom::NAME`, AWS::CloudFormation::CustomResource) carried
out as CloudFormation carries them out, with the function's inline Node.js code run by the
local `node` under the Lambda handler contract (lambda_runner.js). moto 5.2.5 only sent Create,
through Docker, and never Update or Delete.

CloudFormation's side (CloudFormation User Guide, "Custom resources", "Custom resource request
objects", "Custom resource response objects"; AWS::CloudFormation::CustomResource):
- It invokes the function the ServiceToken names as the stack operation's principal, so that
  principal needs lambda:InvokeFunction on it (refused as Lambda refuses, the resource failing
  "User: ... is not authorized to perform: lambda:InvokeFunction on resource: ...", quoted in
  aws-solutions/centralized-logging-with-opensearch#216).
- The event: RequestType (Create, Update, Delete), ResponseURL, StackId, RequestId,
  ResourceType, LogicalResourceId, PhysicalResourceId (Update, Delete), ResourceProperties and
  OldResourceProperties (Update) with every scalar as a string, ServiceToken.
- The function answers by PUTting a JSON response to the ResponseURL (a pre-signed URL; here
  /_cfn-response/ID on the emulator): Status SUCCESS or FAILED, Reason, PhysicalResourceId,
  StackId, RequestId, LogicalResourceId, Data, NoEcho; at most 4096 bytes.
- FAILED fails the resource: "Received response status [FAILED] from custom resource. Message
  returned: REASON (RequestId: ID)". No response within ServiceTimeout seconds (1-3600,
  default 3600) fails it: "CloudFormation did not receive a response from your Custom Resource.
  Please check your logs for requestId [ID]. ..." (aws-samples/retail-demo-store#554).
- An Update that answers with another PhysicalResourceId replaced the resource: the old one
  gets a Delete. Data keys are the resource's Fn::GetAtt attributes.

Lambda's side (Lambda Developer Guide, "Define Lambda function handler in Node.js", "Defined
runtime environment variables", "Lambda execution role"):
- The function runs as a session of its execution role named after the function, with
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and the function's
  Environment; its calls reach the emulator (AWS_ENDPOINT_URL), where IAM evaluates them as
  for any caller.
- The AWS SDK for JavaScript v3 is on the module path without being in the code (NODE_PATH),
  pinned in tests/emulator/lambda-runtime.
- It is stopped after its Timeout (default 3 s): "Task timed out after N seconds".
- What it prints is its log: the emulator's standard error, each line prefixed with the
  function's log group.

Not modelled: SNS service tokens; Lambda's retries of a failed asynchronous invocation; the
Delete CloudFormation sends for a resource whose Create failed, on rollback; a replaced
resource's Delete is sent at once, not in the stack's cleanup phase; NoEcho; a Data key the
template reads but the response lacks fails as the stack is read; the local node's version
stands in for the runtime's (nodejs runtimes only). FIDELITY.md has the sources.
"""
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.sts.models import sts_backends

import cfn_handlers
import iam_state
from cfn_stacks import ResourceFailed

RUNNER = Path(__file__).with_name("lambda_runner.js")
RESPONSE_PATH = "/_cfn-response/"
MAX_RESPONSE_BYTES = 4096
DEFAULT_SERVICE_TIMEOUT = 3600
DEFAULT_FUNCTION_TIMEOUT = 3
CUSTOM_TYPE = "AWS::CloudFormation::CustomResource"

#: The emulator's own address (set when the server starts): the functions' AWS endpoint and
#: the base of every ResponseURL.
endpoint = {"url": ""}

_responses = {}
_arrived = threading.Condition()


# --- the response URL ----------------------------------------------------------------------------

class ResponseApplication:
    """WSGI middleware: PUT /_cfn-response/ID is a custom resource's response to request ID."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(RESPONSE_PATH) or environ.get("REQUEST_METHOD") != "PUT":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with _arrived:
            _responses[path[len(RESPONSE_PATH):]] = body
            _arrived.notify_all()
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


def _await_response(request_id, deadline):
    with _arrived:
        while request_id not in _responses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            _arrived.wait(remaining)
        return _responses.pop(request_id)


# --- the function --------------------------------------------------------------------------------

def _function(account, region, service_token):
    try:
        return lambda_backends[account][region].get_function(service_token)
    except Exception:  # noqa: BLE001  (moto raises its own not-found types)
        return None


def _session_credentials(function):
    """Credentials of the session Lambda makes of the execution role (named after the function)."""
    session = sts_backends[iam_state.ACCOUNT]["aws"].assume_role(
        region_name=function.region, role_session_name=function.function_name,
        role_arn=function.role, policy=None, duration=3600, external_id=None)
    return session.access_key_id, session.secret_access_key, session.session_token


def _unpacked(function, into):
    with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as archive:
        archive.extractall(into)


def _log(function, text):
    for line in text.splitlines():
        print(f"{function.logs_group_name} {line}", file=sys.stderr, flush=True)


def invoke(function, event):
    """Runs the function once on `event` (an asynchronous invocation: what it returns is not
    read). Returns None, or the reason the invocation failed, as its log shows it."""
    if not (function.run_time or "").startswith("nodejs"):
        return f"runtime {function.run_time} is not run by the emulator (nodejs runtimes only)"
    if shutil.which("node") is None:
        return "node is not installed: the emulator runs Node.js functions with the local node " \
               "(install Node.js 20 or later, e.g. apt-get install nodejs)"
    key_id, secret, token = _session_credentials(function)
    request_id = str(uuid.uuid4())
    timeout = int(function.timeout or DEFAULT_FUNCTION_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="cfsign-lambda-") as work:
        code = Path(work, "task")
        _unpacked(function, code)
        outcome = Path(work, "outcome.json")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            **{str(k): str(v) for k, v in (function.environment_vars or {}).items()},
            "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SESSION_TOKEN": token, "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region, "AWS_ENDPOINT_URL": endpoint["url"],
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "LAMBDA_TASK_ROOT": str(code), "NODE_PATH": os.environ.get(
                "CFSIGN_LAMBDA_NODE_PATH", ""), "TZ": ":UTC",
        }
        invocation = {"dir": str(code), "handler": function.handler, "event": event,
                      "outcome": str(outcome), "context": {
                          "functionName": function.function_name,
                          "invokedFunctionArn": function.function_arn,
                          "memoryLimitInMB": function.memory_size, "awsRequestId": request_id,
                          "logStreamName": request_id, "timeoutMs": timeout * 1000}}
        _log(function, f"START RequestId: {request_id} Version: $LATEST")
        try:
            finished = subprocess.run(["node", str(RUNNER)], input=json.dumps(invocation),
                                      capture_output=True, text=True, timeout=timeout,
                                      cwd=code, env=env, check=False)
            _log(function, finished.stdout + finished.stderr)
        except subprocess.TimeoutExpired as expired:
            _log(function, (expired.stdout or b"").decode() + (expired.stderr or b"").decode())
            _log(function, f"{request_id} Task timed out after {timeout:.2f} seconds")
            return f"Task timed out after {timeout:.2f} seconds"
        _log(function, f"END RequestId: {request_id}")
        if not outcome.exists():
            return "the function exited before its handler finished"
        result = json.loads(outcome.read_text())
        return result.get("errorMessage") if "errorType" in result else None


# --- the custom resource -------------------------------------------------------------------------

def _as_strings(value):
    """Property values as CloudFormation passes them to a custom resource: scalars as strings."""
    if isinstance(value, dict):
        return {k: _as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


class CustomResource(CloudFormationModel):
    """One custom resource: the physical id and Data its function answered with."""

    # moto's model metaclass files each model under the service named by its module.
    __module__ = "moto.cloudformation.models"

    def __init__(self, stack_id, logical_id, resource_type, properties, physical_id, data):
        self.stack_id, self.logical_id, self.resource_type = stack_id, logical_id, resource_type
        self.properties, self.physical_id, self.data = properties, physical_id, data

    @staticmethod
    def cloudformation_type():
        return CUSTOM_TYPE

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.physical_id

    def is_created(self):
        return True

    @classmethod
    def has_cfn_attr(cls, attr):
        return True  # the attributes are the keys of the function's Data

    def get_cfn_attribute(self, attribute_name):
        if attribute_name not in self.data:
            raise ResourceFailed(
                self.logical_id, self.resource_type,
                f"CustomResource attribute error: Vendor response doesn't contain "
                f"{attribute_name} key in object {self.stack_id}|{self.logical_id}")
        return self.data[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        properties = cloudformation_json.get("Properties") or {}
        answer = _request(account_id, region_name, "Create", kwargs["StackId"],
                          kwargs["LogicalId"], kwargs["ResourceType"], properties)
        return cls(kwargs["StackId"], kwargs["LogicalId"], kwargs["ResourceType"], properties,
                   answer["PhysicalResourceId"], answer.get("Data") or {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        old = original_resource
        properties = cloudformation_json.get("Properties") or {}
        answer = _request(account_id, region_name, "Update", old.stack_id, old.logical_id,
                          old.resource_type, properties, old)
        if answer["PhysicalResourceId"] != old.physical_id:
            old.delete(account_id, region_name)
        return cls(old.stack_id, old.logical_id, old.resource_type, properties,
                   answer["PhysicalResourceId"], answer.get("Data") or {})

    def delete(self, account_id, region_name):
        _request(account_id, region_name, "Delete", self.stack_id, self.logical_id,
                 self.resource_type, self.properties, self)


def _authorize_invoke(account, region, logical_id, resource_type, physical_id, function_arn):
    resource = cfn_handlers.Handled(resource_type, logical_id, physical_id, {}, physical_id,
                                    region, account)
    cfn_handlers.authorize_call(resource, "lambda:InvokeFunction", function_arn)


def _request(account, region, request_type, stack_id, logical_id, resource_type, properties,
             existing=None):
    """Sends one request to the resource's function and returns its SUCCESS response; raises
    ResourceFailed as CloudFormation fails the resource."""
    physical_id = existing.physical_id if existing is not None else ""

    def failed(reason):
        return ResourceFailed(logical_id, resource_type, reason, physical_id)

    token = properties.get("ServiceToken", "")
    function = _function(account, region, token)
    if function is None:
        raise failed(f"Invalid service token {token}: only Lambda function ARNs of this "
                     f"account are served by the emulator")
    _authorize_invoke(account, region, logical_id, resource_type, physical_id,
                      function.function_arn)
    request_id = str(uuid.uuid4())
    event = {"RequestType": request_type, "ServiceToken": token,
             "ResponseURL": f"{endpoint['url']}{RESPONSE_PATH}{request_id}",
             "StackId": stack_id, "RequestId": request_id, "LogicalResourceId": logical_id,
             "ResourceType": resource_type, "ResourceProperties": _as_strings(properties)}
    if existing is not None:
        event["PhysicalResourceId"] = physical_id
    if request_type == "Update":
        event["OldResourceProperties"] = _as_strings(existing.properties)
    timeout = int(properties.get("ServiceTimeout", DEFAULT_SERVICE_TIMEOUT))
    deadline = time.monotonic() + timeout
    invoke(function, event)
    body = _await_response(request_id, deadline)
    if body is None:
        raise failed(f"CloudFormation did not receive a response from your Custom Resource. "
                     f"Please check your logs for requestId [{request_id}]. If you are using "
                     f"the Python cfn-response module, you may need to update your Lambda "
                     f"function code so that CloudFormation can attach the updated version.")
    if len(body) > MAX_RESPONSE_BYTES:
        raise failed("Response object is too long.")
    try:
        answer = json.loads(body)
    except ValueError:
        raise failed("Invalid response object: the response is not JSON")
    if answer.get("Status") == "FAILED":
        raise failed(f"Received response status [FAILED] from custom resource. Message "
                     f"returned: {answer.get('Reason', '')} (RequestId: {request_id})")
    if answer.get("Status") != "SUCCESS":
        raise failed(f"Invalid response object: Status must be SUCCESS or FAILED, not "
                     f"{answer.get('Status')!r}")
    if not isinstance(answer.get("PhysicalResourceId"), str) or not answer["PhysicalResourceId"]:
        raise failed("Invalid PhysicalResourceId")
    return answer


# --- the hooks into moto's CloudFormation --------------------------------------------------------

_moto_create_function = LambdaFunction.create_from_cloudformation_json.__func__


def _create_function_with_inline_node(cls, resource_name, cloudformation_json, account_id,
                                      region_name, **kwargs):
    """AWS::Lambda::Function: inline code (Code.ZipFile) of a Node.js function is the file
    index.js of its package (AWS::Lambda::Function Code, "ZipFile": CloudFormation "places it
    in a file named index and zips it"); moto 5.2.5 named it index.py whatever the runtime."""
    properties = cloudformation_json.get("Properties") or {}
    code = dict(properties.get("Code") or {})
    function = _moto_create_function(cls, resource_name, cloudformation_json, account_id,
                                     region_name, **kwargs)
    if (properties.get("Runtime") or "").startswith("nodejs") and "ZipFile" in code:
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("index.js", code["ZipFile"])
        function._set_function_code({"ZipFile": base64.b64encode(package.getvalue())})
    return function


LambdaFunction.create_from_cloudformation_json = classmethod(_create_function_with_inline_node)

_moto_class_from_type = parsing.resource_class_from_type


def _custom_class_from_type(resource_type):
    if resource_type == CUSTOM_TYPE or resource_type.startswith("Custom::"):
        return CustomResource
    return _moto_class_from_type(resource_type)


parsing.resource_class_from_type = _custom_class_from_type
