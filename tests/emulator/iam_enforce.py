"""IAM on every AWS API request to the emulator: WSGI middleware in front of moto that refuses
what IAM would refuse, in the caller's protocol, before moto sees the request.

For each request (read with wire.py): the caller from the access key (iam_state.caller), the
action(s) and resource ARN(s) (iam_actions, from the Service Authorization Reference), the
resource's policy and condition keys (iam_state.resource), the global condition keys below,
and the decision of iam_policy.evaluate. Then, for Secrets Manager operations that encrypt or
decrypt a secret value, the KMS permission Secrets Manager uses on the caller's behalf
(secretsmanager/latest/userguide/security-encryption.html): kms:Decrypt for GetSecretValue,
kms:GenerateDataKey when a value is written, both when a request sets the secret's key; checked
against the key's policy with kms:ViaService secretsmanager.REGION.amazonaws.com and the
encryption context Secrets Manager sends (kms:EncryptionContext:SecretARN). A secret
without a customer managed key uses aws/secretsmanager, whose key policy (quoted on that page)
lets every principal of the account use it through Secrets Manager.

Refusals (IAM User Guide, troubleshoot_access-denied.html; the services' Common Errors pages):
AccessDeniedException, HTTP 400, for JSON services (Secrets Manager, KMS, Service Catalog,
DynamoDB); AccessDenied, HTTP 403, for query (IAM, STS, CloudFormation) and REST-XML (S3,
CloudFront) services; Secrets Manager answers a refused KMS use with AccessDeniedException
"Access to KMS is not allowed". Unknown access keys: InvalidClientTokenId (query, REST),
UnrecognizedClientException (JSON), InvalidAccessKeyId (S3); expired sessions ExpiredToken.

Not AWS calls, never checked: /_edge/ (the viewer endpoint), /moto-api/, /_faults, and
requests wire.py cannot read. The account root (the `testing` key) is allowed everything, as
issue 11 decides for the quickstart's and the tests' credentials; EMULATOR_ROOT=aws makes it
subject to explicit denies in resource policies and to KMS key policies as on AWS.
"""
import datetime
import os

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

import aws_errors
import iam_actions
import iam_state
import strict_cost
import wire
from iam_policy import Request, ResourcePolicy, evaluate

EXEMPT = ("/_edge/", "/moto-api/", "/_faults")
# No permission is needed to call it, and an explicit deny does not stop it
# (STS API reference, GetCallerIdentity).
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}
PRINCIPAL_TYPES = {"root": "Account", "user": "User", "role-session": "AssumedRole"}
# The key policy of the AWS managed key aws/secretsmanager (security-encryption.html).
SECRETSMANAGER_KEY_ALIAS = "alias/aws/secretsmanager"
# Condition keys a service supplies from its own state: service -> fn(principal, parsed,
# action) -> [context dict, ...], the request being allowed when any alternative is (None:
# none to add). Service Catalog registers its access levels (servicecatalog/access.py).
CONTEXT_PROVIDERS = {}


# moto's S3 applies bucket policies itself, and wrongly (a statement whose condition does not
# hold counted as a Deny); this middleware evaluates them instead, so moto's check says nothing.
FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL


def _managed_secrets_key_policy(region, account):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                    "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {
             "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
             "kms:CallerAccount": account}}},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
         "Resource": "*"}]}


def root_exempt():
    return os.environ.get("EMULATOR_ROOT", "exempt") != "aws"


# --- the request context -------------------------------------------------------------------------

def global_context(principal, environ, region):
    """Global condition keys (reference_policies_condition-keys.html). Requests to the
    emulator count as made over TLS: it stands in for AWS's HTTPS endpoints."""
    now = datetime.datetime.now(datetime.timezone.utc)
    context = {
        "aws:principalarn": principal.principal_arn,
        "aws:principalaccount": principal.account,
        "aws:principaltype": PRINCIPAL_TYPES.get(principal.kind, ""),
        "aws:securetransport": "true",
        "aws:sourceip": environ.get("REMOTE_ADDR", "127.0.0.1"),
        "aws:currenttime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(now.timestamp())),
        "aws:requestedregion": region,
        "aws:viaawsservice": "false",
    }
    if principal.kind == "user":
        context["aws:username"] = principal.arn.rsplit("/", 1)[-1]
    return context


def check(principal, action, arn, context, region):
    """The Decision for one action on one resource, with the resource's policy and keys."""
    found = iam_state.resource(action, arn, region)
    if action.startswith("kms:"):
        context = {**context, "kms:calleraccount": principal.account}
    request = Request(action, arn, {**context, **(found.context or {})})
    policy = ResourcePolicy(found.policy, found.required, found.kind)
    return request, evaluate(principal, request, policy)


# --- KMS on behalf of Secrets Manager ------------------------------------------------------------

def secret_key_uses(parsed):
    """[(kms action, key id)] Secrets Manager performs for this request."""
    params, operation = parsed.params, parsed.operation
    secret = iam_state.secret(parsed.region, params.get("SecretId"))
    current_key = (secret.kms_key_id if secret else None) or SECRETSMANAGER_KEY_ALIAS
    new_key = params.get("KmsKeyId") if operation in ("CreateSecret", "UpdateSecret") else None
    writes = operation == "PutSecretValue" or (
        operation in ("CreateSecret", "UpdateSecret")
        and ("SecretString" in params or "SecretBinary" in params))
    uses = []
    if operation == "GetSecretValue":
        uses.append(("kms:Decrypt", current_key))
    if new_key:
        uses += [("kms:GenerateDataKey", new_key), ("kms:Decrypt", new_key)]
    elif writes:
        uses.append(("kms:GenerateDataKey", current_key))
    return uses


def _secret_arn(parsed, account):
    """The ARN of the secret a request names; a secret being created ends in its suffix's
    wildcard (Secrets Manager appends six random characters)."""
    params = parsed.params
    return iam_state.secret_arn(parsed.region, params.get("SecretId")) or \
        f"arn:aws:secretsmanager:{parsed.region}:{account}:secret:" \
        f"{params.get('Name') or params.get('SecretId')}-??????"


def secret_key_decision(principal, parsed, base_context, action, key_id):
    """Whether the caller may use the secret's key as Secrets Manager does for it, with the
    encryption context Secrets Manager sends (the secret's ARN; security-encryption.html)."""
    region, account = parsed.region, principal.account
    context = {**base_context, "kms:viaservice": f"secretsmanager.{region}.amazonaws.com",
               "aws:viaawsservice": "true", "kms:calleraccount": account,
               "kms:encryptioncontext:secretarn": _secret_arn(parsed, account)}
    if key_id == SECRETSMANAGER_KEY_ALIAS or key_id.endswith(":" + SECRETSMANAGER_KEY_ALIAS):
        arn = f"arn:aws:kms:{region}:{account}:{SECRETSMANAGER_KEY_ALIAS}"
        request = Request(action, arn, context)
        policy = ResourcePolicy(_managed_secrets_key_policy(region, account), required=True)
        return evaluate(principal, request, policy)
    arn = iam_state.kms_key_arn(region, key_id) or \
        f"arn:aws:kms:{region}:{account}:key/{key_id}"
    return check(principal, action, arn, context, region)[1]


# --- the decision --------------------------------------------------------------------------------

def _credentials_refusal(parsed, code):
    json_protocol = parsed.protocol == "json"
    if code == "ExpiredToken":
        return aws_errors.error(parsed, "ExpiredTokenException" if json_protocol else code,
                                "The security token included in the request is expired",
                                400 if json_protocol else 403)
    if parsed.service == "s3":
        return aws_errors.error(parsed, "InvalidAccessKeyId", "The AWS Access Key Id you "
                                "provided does not exist in our records.", 403)
    return aws_errors.error(parsed, "UnrecognizedClientException" if json_protocol else code,
                            "The security token included in the request is invalid.",
                            400 if json_protocol else 403)


def _access_denied(parsed, message):
    if parsed.protocol == "json":
        return aws_errors.error(parsed, "AccessDeniedException", message, 400)
    return aws_errors.error(parsed, "AccessDenied", message, 403)


def refusal(parsed, environ):
    """The error response IAM gives this request, or None when it is allowed."""
    try:
        principal = iam_state.caller(parsed.access_key)
    except iam_state.UnknownCredentials as unknown:
        return _credentials_refusal(parsed, unknown.code)
    if principal.is_root and root_exempt():
        return None
    account = principal.account
    base = global_context(principal, environ, parsed.region)
    checks = iam_actions.authorizations(parsed.service, parsed.operation, parsed.params,
                                        parsed.region, account)
    provider = CONTEXT_PROVIDERS.get(parsed.service)
    for action, arn, request_keys in checks:
        if action in ALWAYS_ALLOWED:
            continue
        alternatives = (provider and provider(principal, parsed, action)) or [{}]
        decisions = [check(principal, action, arn, {**base, **request_keys, **extra},
                           parsed.region) for extra in alternatives]
        if not any(decision.allowed for _, decision in decisions):
            request, decision = decisions[0]
            return _access_denied(parsed, decision.message(principal, request,
                                                          quote_resource=parsed.service == "s3"))
    if parsed.service == "secretsmanager":
        for action, key_id in secret_key_uses(parsed):
            if not secret_key_decision(principal, parsed, base, action, key_id).allowed:
                return _access_denied(parsed, "Access to KMS is not allowed")
    return None


class AuthorizationApplication:
    """WSGI middleware: refuses what IAM refuses; passes on the rest."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(EXEMPT):
            with strict_cost.rule("authorization"):
                parsed = wire.parse(environ)
                refused = refusal(parsed, environ) if parsed is not None else None
            if refused is not None:
                return refused(environ, start_response)
        return self.app(environ, start_response)
