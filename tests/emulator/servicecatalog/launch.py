"""How Service Catalog runs a launch, per the Service Catalog Administrator Guide ("AWS Service
Catalog launch constraints", constraints-launch.html; "Step 6: Add a launch constraint to
assign an IAM role", getstarted-launchconstraint.html):

- Creating a provisioning artifact copies its template into a bucket Service Catalog owns
  (here: a bucket of another account, SERVICE_ACCOUNT), as an object tagged
  `servicecatalog:provisioning=true`; launches read that copy, never the template URL again.
  (The artifact holds the body read when it was created, api.py; it is stored as the tagged
  object when a stack operation first needs it.)
- With a launch constraint, Service Catalog assumes the launch role and makes the stack calls
  as that role (its sessions are named "servicecatalog": "...assumed-role/
  AmazonSageMakerServiceCatalogProductsLaunchRole/servicecatalog is not authorized to perform:
  iam:GetRole", aws-samples/mlops-sagemaker-github-actions#4); without one, as the end user.
  That principal needs cloudformation:CreateStack / UpdateStack / DeleteStack on the stack, and
  CloudFormation reads the template copy with its credentials: s3:GetObject, which the guide
  says a launch role gets with `"s3:ExistingObjectTag/servicecatalog:provisioning": "true"`.
  CloudFormation refuses an unreadable template with "S3 error: Access Denied For more
  information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"
  (as quoted in iotFab/iota-aws-full-node#6); every resource handler then runs as that
  principal (cfn_handlers.acting_as).

Not modelled: the trust policy of the launch role is not evaluated when Service Catalog assumes
it; the service bucket's own policy (which admits the account) is taken to allow.
"""
import contextlib
import uuid
from dataclasses import dataclass

from moto.s3.models import s3_backends

import cfn_handlers
import iam_actions
import iam_enforce
import iam_state

SERVICE_ACCOUNT = "000000000000"
PROVISIONING_TAG = {"Key": "servicecatalog:provisioning", "Value": "true"}
LAUNCH_SESSION = "servicecatalog"
UNREADABLE_TEMPLATE = ("S3 error: Access Denied For more information check "
                       "http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html")


class LaunchRefused(Exception):
    """A call of the launch that AWS refuses; its message is the record's error."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _service_s3():
    return s3_backends[SERVICE_ACCOUNT]["aws"]


def _bucket(region):
    name = f"servicecatalog-provisioning-artifacts-{region}"
    backend = _service_s3()
    if name not in backend.buckets:
        backend.create_bucket(name, region)
    return name


def _copy_template(region, body):
    """Stores Service Catalog's copy of a template; returns (bucket, key)."""
    bucket = _bucket(region)
    key = f"{uuid.uuid4()}.template"
    backend = _service_s3()
    stored = backend.put_object(bucket, key, body.encode())
    backend.put_object_tagging(stored, {PROVISIONING_TAG["Key"]: PROVISIONING_TAG["Value"]})
    return bucket, key


def launch_principal(role_arn):
    """Who the launch runs as: the launch role's session, or the end user (the caller)."""
    if role_arn:
        return iam_state.role_session(role_arn, LAUNCH_SESSION)
    return cfn_handlers.caller()


def _refusal(principal, action, arn, context, region, quote_resource=False):
    """AWS's AccessDenied message when `principal` may not, else None."""
    if principal is None or (principal.is_root and iam_enforce.root_exempt()):
        return None
    base = iam_enforce.global_context(principal, {}, region)
    request, decision = iam_enforce.check(principal, action, arn, {**base, **context}, region)
    return None if decision.allowed else decision.message(principal, request, quote_resource)


def template_copy(artifact, region):
    """(bucket, key) of Service Catalog's copy of an artifact's template."""
    if "TemplateCopy" not in artifact:
        artifact["TemplateCopy"] = _copy_template(region, artifact["Template"])
    return artifact["TemplateCopy"]


def read_template(principal, copy, region):
    """The template body CloudFormation reads from the copy with the launch's credentials."""
    bucket, key = copy
    context = {f"s3:existingobjecttag/{PROVISIONING_TAG['Key']}": PROVISIONING_TAG["Value"]}
    if _refusal(principal, "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}", context, region):
        raise LaunchRefused(UNREADABLE_TEMPLATE)
    return _service_s3().get_object(bucket, key).value.decode()


def authorize_stack_call(principal, operation, stack_name, region):
    """Raises LaunchRefused when the launch may not call CloudFormation's `operation`."""
    account = principal.account if principal is not None else iam_state.ACCOUNT
    for action, arn, keys in iam_actions.authorizations(
            "cloudformation", operation, {"StackName": stack_name}, region, account):
        message = _refusal(principal, action, arn, keys, region)
        if message:
            raise LaunchRefused(message)


@dataclass(frozen=True)
class Launch:
    """One stack operation of a launch, run as `principal`."""
    principal: object
    region: str

    def template(self, artifact):
        """The artifact's template from Service Catalog's copy, read as CloudFormation reads
        it."""
        return read_template(self.principal, template_copy(artifact, self.region), self.region)


@contextlib.contextmanager
def launching(role_arn, operation, stack_name, region):
    """Runs one stack operation of a launch as Service Catalog does: as the launch role (or the
    end user), after CloudFormation authorized `operation` for it."""
    principal = launch_principal(role_arn)
    authorize_stack_call(principal, operation, stack_name, region)
    with cfn_handlers.acting_as(principal):
        yield Launch(principal, region)
