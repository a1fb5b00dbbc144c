"""Provisioning: a launch, update or termination runs the provisioned product's CloudFormation
stack (moto's, with the extension's resource types) and leaves a record with the outcome.

Sources (Service Catalog API reference and Administrator Guide):
- The stack is SC-<account>-<provisioned product id>, run as the launch constraint's role
  from Service Catalog's copy of the template (launch.py):
  its RoleArn, or with LocalRoleName the role of that name in the launching account ("The
  given role name must exist in the account used to create the launch constraint and the
  account of the user who launches a product with this launch constraint", CreateConstraint).
- Template constraints of the launch path's portfolio are evaluated against the parameter
  values before the stack is created or updated (rules.py); a failing assertion fails the
  record with its AssertDescription and runs no stack. They are bound to the portfolio
  ("Template constraints are bound within a portfolio", template constraints page).
- Inactive artifacts cannot be launched or updated to; DEPRECATED ones only updated to
  (UpdateProvisioningArtifact, Guidance).
- Outputs: the stack's outputs and CloudformationStackARN, the stack's ARN, as DescribeRecord
  and GetProvisionedProductOutputs return them for a CloudFormation product.
- UpdateProvisionedProduct keeps the parameters marked UsePreviousValue; parameters left out
  take the template's defaults (CloudFormation's UpdateStack semantics).
- TerminateProvisionedProduct with IgnoreErrors stops managing the product even when its
  stack cannot be deleted.
"""
import json
import time
from urllib.parse import unquote, urlparse

from moto.cloudformation.models import Stack, cloudformation_backends
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from . import access, records, rules
from .launch import launching
from .records import PROVISION, TERMINATE, UPDATE
from .state import CatalogError, invalid, new_id, not_found

STACK_ARN_OUTPUT = "CloudformationStackARN"


# --- the template and the stack (what CloudFormation runs, as the launch role) ------------------

def _bucket_and_key(url):
    """The bucket and key of an S3 object URL: virtual-hosted (bucket.s3[.region].amazonaws.com)
    or path-style (s3[.region].amazonaws.com/bucket/key, or the emulator's own endpoint)."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    path = unquote(parsed.path.lstrip("/"))
    if ".s3." in f".{host}" and not host.startswith("s3."):
        return host.split(".s3.")[0], path
    bucket, _, key = path.partition("/")
    return bucket, key


def copy_template(catalog, url):
    """The template at an artifact's LoadTemplateFromURL, read when the artifact is created (as
    Service Catalog copies it then), or None when it cannot be read."""
    bucket, key = _bucket_and_key(url)
    backend = s3_backends[catalog.account_id][catalog.partition]
    try:
        return backend.get_object(bucket, key).value.decode()
    except Exception:
        return None


def _cloudformation(catalog):
    return cloudformation_backends[catalog.account_id][catalog.region]


def _error(err):
    return getattr(err, "message", None) or str(err) or type(err).__name__


def _stack_failure(stack):
    """Why a stack operation rolled back (its failed resource and reason), or None."""
    if "ROLLBACK" not in stack.status and not stack.status.endswith("FAILED"):
        return None
    for event in reversed(stack.events):
        if event.resource_status.endswith("_FAILED") and event.logical_resource_id != stack.name:
            return (f"{event.logical_resource_id} ({event.resource_type}): "
                    f"{event.resource_status_reason}")
    return f"the stack ended {stack.status}"


def create_stack(catalog, pp, artifact, parameters):
    """Creates the provisioned product's stack as the launch (launch.py); the failure reason,
    or None."""
    try:
        with launching(pp["LaunchRoleArn"], "CreateStack", pp["StackName"],
                              catalog.region) as run:
            stack = _cloudformation(catalog).create_stack(
                name=pp["StackName"], template=run.template(artifact), parameters=parameters,
                tags={t["Key"]: t["Value"] for t in pp["Tags"]})
        pp["StackId"] = stack.stack_id
        return _stack_failure(stack)
    except Exception as err:  # the template failed: the record says why
        return _error(err)


def update_stack(catalog, pp, artifact, parameters):
    try:
        with launching(pp["LaunchRoleArn"], "UpdateStack", pp["StackName"],
                              catalog.region) as run:
            stack = _cloudformation(catalog).update_stack(
                name=pp["StackName"], template=run.template(artifact), role_arn=None,
                parameters=parameters, tags=None)
        return _stack_failure(stack)
    except Exception as err:
        message = _error(err)
        return None if "No updates are to be performed" in message else message


def delete_stack(catalog, pp):
    backend = _cloudformation(catalog)
    try:
        with launching(pp["LaunchRoleArn"], "DeleteStack", pp["StackName"],
                              catalog.region):
            backend.delete_stack(pp["StackName"])
    except Exception as err:
        return _error(err)
    left = backend.stacks.get(pp.get("StackId"))
    return _stack_failure(left) if left is not None and left.status == "DELETE_FAILED" else None


def _stack(catalog, pp):
    try:
        return _cloudformation(catalog).get_stack(pp["StackName"])
    except Exception:
        return None


def outputs(catalog, pp):
    """The stack's outputs, and CloudformationStackARN."""
    stack = _stack(catalog, pp)
    if stack is None:
        return []
    listed = [{"OutputKey": o.key, "OutputValue": o.value, "Description": o.description or ""}
              for o in stack.output_map.values() if o]  # a false Condition leaves None
    return listed + [{"OutputKey": STACK_ARN_OUTPUT, "OutputValue": stack.stack_id,
                      "Description": ""}]


# --- what a request launches with ---------------------------------------------------------------

def usable_artifact(product, params, launching):
    """The artifact asked for, if it may be used: an inactive one never, a DEPRECATED one
    only to update products already provisioned."""
    wanted_id, wanted_name = (params.get("ProvisioningArtifactId"),
                              params.get("ProvisioningArtifactName"))
    artifact = next((a for a in product["Artifacts"]
                     if (wanted_id and a["Id"] == wanted_id)
                     or (not wanted_id and a["Name"] == wanted_name)), None)
    if artifact is None:
        raise not_found("Provisioning artifact", wanted_id or wanted_name)
    if not artifact["Active"]:
        raise invalid(f"Provisioning artifact {artifact['Id']} is not active.")
    if launching and artifact["Guidance"] == "DEPRECATED":
        raise invalid(f"Provisioning artifact {artifact['Id']} is deprecated: launch a newer "
                      "version.")
    return artifact


def _role_named(catalog, name):
    roles = iam_backends[catalog.account_id][get_partition(catalog.region)].roles.values()
    return next((r for r in roles if r.name == name), None)


def role_exists(catalog, name):
    return _role_named(catalog, name) is not None


def launch_role_arn(catalog, portfolio, product_id):
    """The role the launch constraint names, resolved in the launching account."""
    launch = catalog.constraints_of(portfolio["Id"], product_id, "LAUNCH")
    if not launch:
        return None
    parameters = json.loads(launch[0]["Parameters"])
    if parameters.get("RoleArn"):
        return parameters["RoleArn"]
    name = parameters["LocalRoleName"]
    role = _role_named(catalog, name)
    if role is None:
        raise invalid(f"The launch constraint's role {name} does not exist in account "
                      f"{catalog.account_id}.")
    return role.arn


def _declared(template):
    return Stack.parse_template(template).get("Parameters") or {}


def _values(template, given, previous):
    """Every declared parameter's value for the stack operation."""
    values = {}
    for name, spec in _declared(template).items():
        entry = given.get(name)
        if entry is not None and entry.get("UsePreviousValue"):
            values[name] = previous.get(name, spec.get("Default", ""))
        elif entry is not None:
            values[name] = entry.get("Value", "")
        else:
            values[name] = spec.get("Default", "")
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = [v.strip() for v in values[name].split(",")]
    return values


def constraint_failure(catalog, portfolio, product_id, template, given, previous):
    """The AssertDescription of the first template constraint rule that fails, or None."""
    values = _values(template, given, previous)
    try:
        for constraint in catalog.constraints_of(portfolio["Id"], product_id, "TEMPLATE"):
            rules.check(json.loads(constraint["Parameters"]).get("Rules"), values)
    except rules.RuleError as failure:
        return str(failure)
    return None


def _given(params):
    return {p["Key"]: p for p in params.get("ProvisioningParameters") or []}


def _stack_parameters(given):
    return [{"ParameterKey": k, "UsePreviousValue": True} if p.get("UsePreviousValue")
            else {"ParameterKey": k, "ParameterValue": p.get("Value", "")}
            for k, p in given.items()]


# --- the three requests -----------------------------------------------------------------------

def launch(catalog, principal, params):
    """ProvisionProduct: a new provisioned product, its stack run, and its record."""
    name = params["ProvisionedProductName"]
    records.settle_all(catalog)  # a finished termination frees its name
    if catalog.find_provisioned(name=name):
        raise CatalogError("DuplicateResourceException",
                           f"A provisioned product named {name} already exists.")
    product = catalog.product(params.get("ProductId"), params.get("ProductName"))
    artifact = usable_artifact(product, params, launching=True)
    portfolio = access.choose_path(catalog, principal, product["Id"], params)
    pp_id = new_id("pp-")
    pp = {
        "Name": name, "Id": pp_id, "Type": "CFN_STACK",
        "Arn": f"arn:{catalog.partition}:servicecatalog:{catalog.region}:"
               f"{catalog.account_id}:stack/{name}/{pp_id}",
        "Status": "UNDER_CHANGE", "StatusMessage": "", "CreatedTime": time.time(),
        "IdempotencyToken": params.get("ProvisionToken", ""), "LastRecordId": None,
        "LastProvisioningRecordId": None, "LastSuccessfulProvisioningRecordId": None,
        "ProductId": product["Id"], "ProvisioningArtifactId": artifact["Id"],
        "PathId": access.path_id(portfolio), "Tags": params.get("Tags") or [],
        "LaunchRoleArn": launch_role_arn(catalog, portfolio, product["Id"]),
        "StackName": f"SC-{catalog.account_id}-{pp_id}", "Owner": access.owner(principal),
    }
    given = _given(params)
    error = constraint_failure(catalog, portfolio, product["Id"], artifact["Template"], given,
                               {})
    if error is None:
        parameters = {k: p.get("Value", "") for k, p in given.items()}
        error = create_stack(catalog, pp, artifact, parameters)
    catalog.provisioned[pp_id] = pp
    return records.new_record(catalog, pp, PROVISION, product["Id"], artifact["Id"],
                              pp["PathId"], error)


def changeable(catalog, params):
    """The provisioned product a request names, unless a change to it is still running."""
    pp = catalog.provisioned_product(params.get("ProvisionedProductId"),
                                     params.get("ProvisionedProductName"))
    records.settle(catalog, pp)
    if pp["Status"] == "UNDER_CHANGE":
        raise CatalogError("InvalidStateException",
                           f"Provisioned product {pp['Name']} is under change.")
    return pp


def _previous_parameters(catalog, pp):
    stack = _stack(catalog, pp)
    return dict(getattr(stack, "stack_parameters", None) or stack.parameters) if stack else {}


def update(catalog, principal, params):
    """UpdateProvisionedProduct: the stack updated through the caller's launch path."""
    pp = changeable(catalog, params)
    product = catalog.product(params.get("ProductId") or pp["ProductId"],
                              params.get("ProductName"))
    if not (params.get("ProvisioningArtifactId") or params.get("ProvisioningArtifactName")):
        params = dict(params, ProvisioningArtifactId=pp["ProvisioningArtifactId"])
    artifact = usable_artifact(product, params, launching=False)
    portfolio = access.choose_path(catalog, principal, product["Id"], params)
    given = _given(params)
    error = constraint_failure(catalog, portfolio, product["Id"], artifact["Template"], given,
                               _previous_parameters(catalog, pp))
    if error is None:
        error = update_stack(catalog, pp, artifact, _stack_parameters(given))
    return records.new_record(catalog, pp, UPDATE, product["Id"], artifact["Id"],
                              access.path_id(portfolio), error)


def terminate(catalog, params):
    """TerminateProvisionedProduct: the stack deleted (or, with IgnoreErrors, let go)."""
    pp = changeable(catalog, params)
    error = delete_stack(catalog, pp)
    if params.get("IgnoreErrors"):
        error = None
    return records.new_record(catalog, pp, TERMINATE, pp["ProductId"],
                              pp["ProvisioningArtifactId"], pp["PathId"], error)
