"""What the authorizer reads from moto's backends: who an access key belongs to (with that
identity's policies and permissions boundary), and a resource's full ARN, tags and
resource-based policy (secrets, buckets, KMS keys, role trust policies), and the tags of
Service Catalog portfolios and products and of CloudFront distributions (aws:ResourceTag, the
condition key the Service Authorization Reference lists for these resource types).

Callers, per the IAM User Guide (id_credentials_temp_use-resources.html,
reference_policies_condition-keys.html#condition-keys-principalarn):
- the static `testing` key is the account root (the quickstart's and the tests' credentials);
- an IAM user's access key (moto's IAM backend) acts as the user: policies inline, attached
  and from its groups;
- keys from sts:AssumeRole act as the role session: arn:aws:sts::ACCOUNT:assumed-role/NAME/
  SESSION; aws:PrincipalArn is the role's ARN with its path; the role's policies and boundary.
Any other key is unknown (InvalidClientTokenId), and an expired session's key is refused
(ExpiredToken).

Only the emulator's account (moto's default) has its IAM modelled. A session of a role in
another account (moto's AssumeRole lets any account id be named) acts in that account with an
identity policy that allows everything: that account's own IAM is not modelled, while every
policy of the emulator's account (bucket, secret, key and trust policies) and the S3 bucket
owner condition still apply to what it reaches here.
"""
import json
from dataclasses import dataclass
from urllib.parse import unquote

from moto.cloudformation.models import cloudformation_backends
from moto.cloudfront.models import cloudfront_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.servicecatalog.models import servicecatalog_backends
from moto.sts.models import sts_backends

from iam_policy import Principal, root

ACCOUNT = DEFAULT_ACCOUNT_ID
ROOT_ACCESS_KEY = "testing"


class UnknownCredentials(Exception):
    """An access key AWS would not accept: code is "InvalidClientTokenId" or "ExpiredToken"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _iam():
    return iam_backends[ACCOUNT]["aws"]


def _document(text):
    """A policy document as moto stores it (JSON text, sometimes URL-encoded) as a dict."""
    if isinstance(text, dict):
        return text
    text = text.decode() if isinstance(text, bytes) else text
    text = text if text.lstrip().startswith("{") else unquote(text)
    return json.loads(text)


def _managed_document(policy):
    version = next(v for v in policy.versions if v.version_id == policy.default_version_id)
    return _document(version.document)


def _policy_by_arn(arn):
    policy = _iam().managed_policies.get(arn)  # customer and AWS managed policies
    return _managed_document(policy) if policy else None


def _policies_of(entity):
    inline = [_document(text) for text in entity.policies.values()]
    managed = [_managed_document(p) for p in entity.managed_policies.values()]
    return inline + managed


def _boundary_of(entity):
    arn = getattr(entity, "permissions_boundary_arn", None)
    # A boundary naming a policy that does not exist allows nothing.
    return (_policy_by_arn(arn) or {"Statement": []}) if arn else None


def _user_principal(user):
    policies = _policies_of(user)
    for group in _iam().get_groups_for_user(user.name):
        policies += _policies_of(group)
    return Principal("user", user.arn, ACCOUNT, principal_arn=user.arn,
                     identity_policies=tuple(policies), boundary=_boundary_of(user))


def _role_named(name):
    return next((r for r in _iam().roles.values() if r.name == name), None)


def _role_principal(role_arn, session_arn):
    role = _role_named(role_arn.split("/")[-1])
    principal_arn = role.arn if role else role_arn
    # A deleted role leaves its sessions with no permissions.
    policies = tuple(_policies_of(role)) if role else ()
    return Principal("role-session", session_arn, ACCOUNT, principal_arn=principal_arn,
                     identity_policies=policies, boundary=_boundary_of(role) if role else None)


def _session_principal(session):
    return _role_principal(session.role_arn, session.arn)


def role_session(role_arn, session_name):
    """The session a service makes when it assumes `role_arn` itself, named `session_name`
    (Service Catalog's launch role sessions are "servicecatalog", CloudFormation's service role
    sessions "AWSCloudFormation", as their AccessDenied messages show them)."""
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/" \
                  f"{session_name}"
    return _role_principal(role_arn, session_arn)


ALLOW_EVERYTHING = {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _session(access_key_id):
    """(account, role session) an STS access key belongs to, the emulator's account first."""
    accounts = [ACCOUNT] + [a for a in list(sts_backends.keys()) if a != ACCOUNT]
    for account in accounts:
        session = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key_id)
        if session is not None:
            return account, session
    return None


def _foreign_principal(account, session):
    return Principal("role-session", session.arn, account, principal_arn=session.role_arn,
                     identity_policies=(ALLOW_EVERYTHING,))


def caller(access_key_id):
    """The Principal an access key id stands for."""
    if access_key_id == ROOT_ACCESS_KEY:
        return root(ACCOUNT)
    found = _session(access_key_id)
    if found is not None:
        account, session = found
        if session.expiration <= utcnow():
            raise UnknownCredentials("ExpiredToken")
        return _session_principal(session) if account == ACCOUNT \
            else _foreign_principal(account, session)
    for user in _iam().users.values():
        for key in user.access_keys:
            if key.access_key_id == access_key_id and key.status == "Active":
                return _user_principal(user)
    raise UnknownCredentials("InvalidClientTokenId")


# --- resources -----------------------------------------------------------------------------------


@dataclass
class Resource:
    """What the request context learns from the resource: its policy and condition keys."""
    policy: object = None
    required: bool = False  # the policy must allow (KMS key policies, role trust policies)
    kind: str = "resource-based policy"
    context: dict = None


def secret(region, secret_id):
    return secretsmanager_backends[ACCOUNT][region].secrets.get(secret_id) if secret_id else None


def secret_arn(region, secret_id):
    found = secret(region, secret_id)
    return found.arn if found else None


def kms_key(region, key_id):
    backend = kms_backends[ACCOUNT][region]
    try:
        return backend.keys.get(backend.any_id_to_key_id(key_id))
    except (KeyError, TypeError, AttributeError):
        return None


def kms_key_arn(region, key_id):
    key = kms_key(region, key_id) if key_id else None
    return key.arn if key else None


def stack_arn(region, name_or_id):
    backend = cloudformation_backends[ACCOUNT][region]
    for stack in backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id) and stack.status != "DELETE_COMPLETE":
            return stack.stack_id
    return None


def role_arn(name):
    role = _role_named(name) if name else None
    return role.arn if role else None


def user_arn(name):
    user = _iam().users.get(name) if name else None
    return user.arn if user else None


def tag_keys(pairs, *prefixes):
    """Condition keys PREFIX/KEY (lower case) for a Tags list of {Key, Value}."""
    return {f"{prefix}/{t['Key']}".lower(): t.get("Value", "") for t in pairs or []
            for prefix in prefixes}


def _secret_resource(region, arn):
    found = secret(region, arn)
    if found is None:
        return Resource()
    context = tag_keys(found.tags, "aws:resourcetag", "secretsmanager:resourcetag")
    return Resource(policy=found.policy, context=context)


def _bucket_resource(arn):
    bucket_name, _, key_name = arn.split(":::", 1)[1].partition("/")
    s3 = s3_backends[ACCOUNT]["aws"]
    bucket = s3.buckets.get(bucket_name)
    if bucket is None:
        return Resource()
    context = {}
    if key_name and key_name in bucket.keys:
        key = bucket.keys[key_name]
        context = tag_keys(s3.get_object_tagging(key)["Tags"], "s3:existingobjecttag")
    return Resource(policy=bucket.policy, context=context)


def _key_resource(region, arn):
    key = kms_key(region, arn)
    # Every KMS key has a key policy, and it must allow (kms/latest/developerguide/
    # key-policies.html); an unknown key leaves nothing to allow the request.
    return Resource(policy=key.policy if key else None, required=True)


def _catalog(region):
    """The emulator's Service Catalog state (servicecatalog.py keeps it on moto's backend)."""
    return getattr(servicecatalog_backends[ACCOUNT][region], "cfsign_catalog", None)


def catalog_product_id(region, name):
    catalog = _catalog(region) if name else None
    found = [p for p in (catalog.products.values() if catalog else []) if p.get("Name") == name]
    return found[0]["Id"] if found else None


def _catalog_resource(region, arn):
    kind, _, resource_id = arn.rsplit(":", 1)[1].partition("/")
    catalog = _catalog(region)
    held = {"portfolio": "portfolios", "product": "products"}.get(kind)
    found = getattr(catalog, held).get(resource_id) if catalog and held else None
    return Resource(context=tag_keys(found.get("Tags"), "aws:resourcetag") if found else None)


def _distribution_resource(arn):
    tags = cloudfront_backends[ACCOUNT]["aws"].tagger.list_tags_for_resource(arn)["Tags"]
    return Resource(context=tag_keys(tags, "aws:resourcetag"))


def _role_resource(arn):
    role = _role_named(arn.split("/")[-1])
    return Resource(policy=_document(role.assume_role_policy_document) if role else None,
                    required=True,
                    kind="role trust policy")


def resource(action, arn, region):
    """The resource-based policy and resource condition keys for one action on one ARN."""
    service = action.split(":", 1)[0]
    if service == "secretsmanager" and ":secret:" in arn:
        return _secret_resource(region, arn)
    if service == "s3" and arn.startswith("arn:aws:s3:::"):
        return _bucket_resource(arn)
    if service == "kms" and ":key/" in arn:
        return _key_resource(region, arn)
    if service == "servicecatalog" and arn.startswith("arn:aws:catalog:"):
        return _catalog_resource(region, arn)
    if service == "cloudfront" and ":distribution/" in arn:
        return _distribution_resource(arn)
    if action.lower() in ("sts:assumerole", "sts:tagsession") and ":role/" in arn:
        return _role_resource(arn)
    return Resource()
