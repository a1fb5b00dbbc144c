"""The policy evaluation engine (iam_policy.py) on explicit inputs: each rule of the IAM policy
evaluation logic and of the policy grammar, refused and accepted."""
import pytest

from iam_policy import (Principal, Request, ResourcePolicy, conditions_hold, evaluate, root,
                        service)

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/team/cfsign-a-integration"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/cfsign-a-integration/app"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:cfsign/a/signing-key-AbCdEf"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def session(*policies, boundary=None):
    return Principal("role-session", SESSION_ARN, ACCOUNT, principal_arn=ROLE_ARN,
                     identity_policies=tuple(policies), boundary=boundary)


def user(*policies, boundary=None):
    return Principal("user", USER_ARN, ACCOUNT, principal_arn=USER_ARN,
                     identity_policies=tuple(policies), boundary=boundary)


def context(principal, **keys):
    values = {"aws:principalarn": principal.principal_arn, "aws:principalaccount": ACCOUNT}
    values.update({k.replace("_", ":", 1).lower(): v for k, v in keys.items()})
    return values


def request(principal, action="secretsmanager:GetSecretValue", resource=SECRET, **keys):
    return Request(action, resource, context(principal, **keys))


# --- identity policies, boundaries, explicit deny ------------------------------------------------

def test_nothing_allows_is_an_implicit_deny():
    caller = session()
    decision = evaluate(caller, request(caller))
    assert not decision.allowed
    assert decision.message(caller, request(caller)) == (
        f"User: {SESSION_ARN} is not authorized to perform: secretsmanager:GetSecretValue on "
        f"resource: {SECRET} because no identity-based policy allows the "
        "secretsmanager:GetSecretValue action")


def test_an_identity_policy_allow_grants():
    caller = session(policy(allow("secretsmanager:GetSecretValue", SECRET)))
    assert evaluate(caller, request(caller)).allowed


def test_an_explicit_deny_wins_over_an_allow():
    caller = session(policy(allow("secretsmanager:*")),
                     policy(deny("secretsmanager:GetSecretValue")))
    decision = evaluate(caller, request(caller))
    assert decision.reason == "with an explicit deny in an identity-based policy"


def test_a_permissions_boundary_must_allow_too():
    caller = session(policy(allow("secretsmanager:*")),
                     boundary=policy(allow("secretsmanager:DescribeSecret")))
    assert evaluate(caller, request(caller)).reason == (
        "because no permissions boundary allows the secretsmanager:GetSecretValue action")
    assert evaluate(caller, request(caller, "secretsmanager:DescribeSecret")).allowed


def test_a_deny_in_the_boundary_is_explicit():
    caller = session(policy(allow("*")), boundary=policy(allow("*"), deny("secretsmanager:*")))
    assert evaluate(caller, request(caller)).reason == \
        "with an explicit deny in a permissions boundary"


def test_the_root_user_has_every_identity_permission_but_an_explicit_deny_applies():
    caller = root(ACCOUNT)
    assert evaluate(caller, request(caller)).allowed
    denying = ResourcePolicy(policy(deny("secretsmanager:GetSecretValue", Principal="*")))
    assert evaluate(caller, request(caller), denying).reason == \
        "with an explicit deny in a resource-based policy"


# --- Action / NotAction, Resource / NotResource --------------------------------------------------

@pytest.mark.parametrize("pattern,allowed", [
    ("secretsmanager:GetSecretValue", True), ("SecretsManager:getsecretvalue", True),
    ("secretsmanager:Get*", True), ("secretsmanager:?etSecretValue", True), ("*", True),
    ("secretsmanager:Describe*", False), ("kms:GetSecretValue", False)])
def test_action_wildcards_are_case_insensitive(pattern, allowed):
    caller = session(policy(allow(pattern)))
    assert evaluate(caller, request(caller)).allowed is allowed


def test_not_action_allows_everything_else():
    caller = session(policy({"Effect": "Allow", "NotAction": "secretsmanager:Get*",
                             "Resource": "*"}))
    assert not evaluate(caller, request(caller)).allowed
    assert evaluate(caller, request(caller, "secretsmanager:DescribeSecret")).allowed


@pytest.mark.parametrize("pattern,allowed", [
    (SECRET, True), ("arn:aws:secretsmanager:*:*:secret:cfsign/a/signing-key-*", True),
    ("arn:aws:secretsmanager:*:*:secret:cfsign/a/signing-key-??????", True),
    ("arn:aws:secretsmanager:*:*:secret:cfsign/b/*", False),
    (SECRET.upper(), False)])  # resources are case-sensitive
def test_resource_wildcards(pattern, allowed):
    caller = session(policy(allow("secretsmanager:GetSecretValue", pattern)))
    assert evaluate(caller, request(caller)).allowed is allowed


def test_not_resource():
    caller = session(policy({"Effect": "Allow", "Action": "secretsmanager:*",
                             "NotResource": "arn:aws:secretsmanager:*:*:secret:cfsign/a/*"}))
    assert not evaluate(caller, request(caller)).allowed
    other = SECRET.replace("cfsign/a/", "cfsign/b/")
    assert evaluate(caller, request(caller, resource=other)).allowed


def test_policy_variables_in_resources():
    caller = user(policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")))
    allowed = request(caller, "s3:GetObject", "arn:aws:s3:::home/alice/a.txt",
                      aws_username="alice")
    refused = request(caller, "s3:GetObject", "arn:aws:s3:::home/bob/a.txt",
                      aws_username="alice")
    assert evaluate(caller, allowed).allowed and not evaluate(caller, refused).allowed


# --- resource-based policies (same account) ------------------------------------------------------

def test_a_resource_policy_naming_the_session_grants_without_identity_policy():
    caller = session(boundary=policy(allow("s3:*")))
    grant = ResourcePolicy(policy(allow("secretsmanager:GetSecretValue",
                                        Principal={"AWS": SESSION_ARN})))
    assert evaluate(caller, request(caller), grant).allowed


def test_a_resource_policy_naming_the_role_is_limited_by_the_boundary():
    grant = ResourcePolicy(policy(allow("secretsmanager:GetSecretValue",
                                        Principal={"AWS": ROLE_ARN})))
    assert evaluate(session(), request(session()), grant).allowed
    bounded = session(boundary=policy(allow("s3:*")))
    assert evaluate(bounded, request(bounded), grant).reason == (
        "because no permissions boundary allows the secretsmanager:GetSecretValue action")


def test_a_resource_policy_naming_the_user_grants_past_the_boundary():
    caller = user(boundary=policy(allow("s3:*")))
    grant = ResourcePolicy(policy(allow("secretsmanager:GetSecretValue",
                                        Principal={"AWS": [USER_ARN]})))
    assert evaluate(caller, request(caller), grant).allowed


def test_a_resource_policy_naming_the_account_only_delegates_to_iam():
    for principal in (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"):
        grant = ResourcePolicy(policy(allow("secretsmanager:GetSecretValue",
                                            Principal={"AWS": principal})))
        assert not evaluate(session(), request(session()), grant).allowed
        allowed = session(policy(allow("secretsmanager:GetSecretValue")))
        assert evaluate(allowed, request(allowed), grant).allowed


def test_an_explicit_deny_in_a_resource_policy_wins():
    caller = session(policy(allow("secretsmanager:*")))
    denying = ResourcePolicy(policy(deny("secretsmanager:GetSecretValue", Principal="*")))
    assert evaluate(caller, request(caller), denying).reason == \
        "with an explicit deny in a resource-based policy"


def test_the_products_secret_policy_admits_only_the_named_roles():
    """products/private-key-secret: Deny GetSecretValue unless aws:PrincipalArn is one of the
    team's integration role or the automation role."""
    secret_policy = ResourcePolicy(policy(deny(
        "secretsmanager:GetSecretValue", Principal="*",
        Condition={"StringNotEquals": {"aws:PrincipalArn": [
            ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:role/automation"]}})))
    reader = session(policy(allow("secretsmanager:GetSecretValue")))
    assert evaluate(reader, request(reader), secret_policy).allowed
    intruder = user(policy(allow("secretsmanager:GetSecretValue")))
    assert not evaluate(intruder, request(intruder), secret_policy).allowed


def test_not_principal_in_a_deny_spares_only_the_named():
    denying = ResourcePolicy(policy(deny("secretsmanager:*", NotPrincipal={"AWS": ROLE_ARN})))
    reader = session(policy(allow("secretsmanager:GetSecretValue")))
    assert evaluate(reader, request(reader), denying).allowed
    intruder = user(policy(allow("secretsmanager:GetSecretValue")))
    assert not evaluate(intruder, request(intruder), denying).allowed


def test_a_key_policy_must_allow():
    """KMS: without the key policy's permission IAM policies have no effect
    (kms/latest/developerguide/key-policies.html)."""
    caller = session(policy(allow("kms:Decrypt")))
    decrypt = request(caller, "kms:Decrypt", KEY)
    only_admin = ResourcePolicy(policy(allow("kms:*", Principal={"AWS": USER_ARN})),
                                required=True)
    assert evaluate(caller, decrypt, only_admin).reason == \
        "because no resource-based policy allows the kms:Decrypt action"
    account = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    delegating = ResourcePolicy(policy(allow("kms:*", Principal=account)), required=True)
    assert evaluate(caller, decrypt, delegating).allowed
    assert not evaluate(session(), request(session(), "kms:Decrypt", KEY), delegating).allowed
    assert evaluate(root(ACCOUNT), request(root(ACCOUNT), "kms:Decrypt", KEY), delegating).allowed
    assert not evaluate(root(ACCOUNT), request(root(ACCOUNT), "kms:Decrypt", KEY),
                        only_admin).allowed


def test_a_service_principal_needs_the_resource_policy():
    cloudfront = service("cloudfront.amazonaws.com", ACCOUNT)
    distribution = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"
    bucket_policy = ResourcePolicy(policy(allow(
        "s3:GetObject", "arn:aws:s3:::b/*", Principal={"Service": "cloudfront.amazonaws.com"},
        Condition={"StringEquals": {"AWS:SourceArn": distribution}})))
    get = Request("s3:GetObject", "arn:aws:s3:::b/a.txt", {"aws:sourcearn": distribution})
    assert evaluate(cloudfront, get, bucket_policy).allowed
    other = Request("s3:GetObject", "arn:aws:s3:::b/a.txt", {"aws:sourcearn": distribution + "X"})
    assert not evaluate(cloudfront, other, bucket_policy).allowed
    assert not evaluate(cloudfront, get, ResourcePolicy(None)).allowed


# --- conditions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("condition,context_values,holds", [
    ({"StringEquals": {"aws:PrincipalArn": ROLE_ARN}}, {"aws:principalarn": ROLE_ARN}, True),
    ({"StringEquals": {"aws:PrincipalArn": ROLE_ARN}}, {}, False),
    ({"StringNotEquals": {"aws:PrincipalArn": ROLE_ARN}}, {}, True),
    ({"StringNotEquals": {"aws:PrincipalArn": [ROLE_ARN, USER_ARN]}},
     {"aws:principalarn": USER_ARN}, False),
    ({"StringEqualsIgnoreCase": {"k:v": "ABC"}}, {"k:v": "abc"}, True),
    ({"StringNotEqualsIgnoreCase": {"k:v": "ABC"}}, {"k:v": "abc"}, False),
    ({"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
     {"kms:viaservice": "secretsmanager.us-east-1.amazonaws.com"}, True),
    ({"StringNotLike": {"kms:ViaService": "s3.*"}},
     {"kms:viaservice": "secretsmanager.us-east-1.amazonaws.com"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::*:distribution/*"}},
     {"aws:sourcearn": "arn:aws:cloudfront::1:distribution/E1"}, True),
    ({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
     {"aws:sourcearn": "arn:aws:cloudfront::1:distribution/E2"}, False),
    ({"ArnNotEquals": {"aws:PrincipalArn": ROLE_ARN}}, {"aws:principalarn": USER_ARN}, True),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
     {"aws:principalarn": ROLE_ARN}, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:securetransport": "true"}, False),
    ({"Bool": {"aws:SecureTransport": False}}, {"aws:securetransport": "false"}, True),
    ({"Null": {"aws:SourceArn": "true"}}, {}, True),
    ({"Null": {"aws:SourceArn": "false"}}, {}, False),
    ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, True),
    ({"NumericGreaterThanEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "5"}, False),
    ({"NumericNotEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, False),
    ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
     {"aws:currenttime": "2026-01-01T00:00:00Z"}, True),
    ({"DateGreaterThan": {"aws:EpochTime": "1700000000"}}, {"aws:epochtime": "1600000000"}, False),
    ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, {"aws:sourceip": "127.0.0.1"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, {"aws:sourceip": "127.0.0.1"}, False),
    ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {}, True),
    ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {"aws:sourceaccount": "1"}, False),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}},
     {"aws:calledvia": ["cloudformation.amazonaws.com"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}},
     {}, False),
    ({"ForAllValues:StringLike": {"aws:TagKeys": "cfsign:*"}},
     {"aws:tagkeys": ["cfsign:team", "cfsign:product"]}, True),
    ({"ForAllValues:StringLike": {"aws:TagKeys": "cfsign:*"}},
     {"aws:tagkeys": ["cfsign:team", "owner"]}, False),
    ({"ForAllValues:StringLike": {"aws:TagKeys": "cfsign:*"}}, {}, True),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "owner"}}, {}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "owner"}},
     {"aws:tagkeys": ["owner", "team"]}, True),
    ({"ForAllValues:StringNotEquals": {"aws:TagKeys": "owner"}},
     {"aws:tagkeys": ["owner", "team"]}, False),
    ({"StringEquals": {"s3:ExistingObjectTag/team": "a"}}, {"s3:existingobjecttag/team": "a"},
     True),
    ({"UnknownOperator": {"k": "v"}}, {"k": "v"}, False),
])
def test_condition_operators(condition, context_values, holds):
    assert conditions_hold(condition, context_values) is holds


def test_several_keys_and_operators_must_all_hold_and_values_are_alternatives():
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": ["x", "y"]},
                 "Bool": {"aws:SecureTransport": "true"}}
    values = {"aws:sourceaccount": ACCOUNT, "aws:sourcearn": "y", "aws:securetransport": "true"}
    assert conditions_hold(condition, values)
    assert not conditions_hold(condition, {**values, "aws:sourcearn": "z"})
    assert not conditions_hold(condition, {**values, "aws:securetransport": "false"})


def test_condition_keys_are_case_insensitive():
    assert conditions_hold({"StringEquals": {"AWS:SourceArn": "x"}}, {"aws:sourcearn": "x"})
