"""Requests as IAM authorizes them (iam_actions.py), and the coverage of what cfsign ships: every
condition operator and key in products/, examples/iam/ and docs/ is one the emulator evaluates
and supplies."""
import json
import re
from pathlib import Path

import pytest
import yaml

import cfn_handlers
import iam_actions
import iam_enforce
from servicecatalog import access as sc_access
from iam_policy import as_list, known_operator, root

REPO = Path(__file__).resolve().parents[2]
REGION, ACCOUNT = "us-east-1", "123456789012"


def test_every_documented_action_exists_in_the_service_authorization_reference():
    for service, table in list(iam_actions.OPERATION_ACTIONS.items()) + \
            list(iam_actions.VERSIONED_ACTIONS.items()):
        actions = iam_actions.reference(service)["privileges"]
        for names in table.values():
            for name in (names if isinstance(names, tuple) else (names,)):
                assert name in actions, f"{service}:{name}"


@pytest.mark.parametrize("service,operation,params,expected", [
    ("s3", "ListObjectsV2", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
    ("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
    ("s3", "DeleteObject", {"Bucket": "b", "Key": "k", "VersionId": "v"},
     [("s3:DeleteObjectVersion", "arn:aws:s3:::b/k")]),
    ("s3", "ListObjectVersions", {"Bucket": "b"}, [("s3:ListBucketVersions", "arn:aws:s3:::b")]),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "k"}]}},
     [("s3:DeleteObject", "arn:aws:s3:::b/k")]),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [
        {"Key": "k", "VersionId": "v"}, {"Key": "j", "VersionId": "w"}]}},
     [("s3:DeleteObject", "arn:aws:s3:::b/k"), ("s3:DeleteObject", "arn:aws:s3:::b/j"),
      ("s3:DeleteObjectVersion", "arn:aws:s3:::b/k"),
      ("s3:DeleteObjectVersion", "arn:aws:s3:::b/j")]),
    ("cloudfront", "GetPublicKey", {"Id": "K1"}, [("cloudfront:GetPublicKey", "*")]),
    ("cloudfront", "GetDistribution", {"Id": "E1"},
     [("cloudfront:GetDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1")]),
    ("cloudfront", "CreateDistributionWithTags", {},
     [("cloudfront:CreateDistribution", "*"), ("cloudfront:TagResource", "*")]),
    ("cloudformation", "ValidateTemplate", {}, [("cloudformation:ValidateTemplate", "*")]),
    ("cloudformation", "CreateStack", {"StackName": "SC-1"},
     [("cloudformation:CreateStack", f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/SC-1/*")]),
    ("secretsmanager", "CreateSecret", {"Name": "cfsign/a/signing-key"},
     [("secretsmanager:CreateSecret",
       f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:cfsign/a/signing-key-??????")]),
    ("sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r"},
     [("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/r")]),
    ("dynamodb", "DescribeTable", {"TableName": "t"},
     [("dynamodb:DescribeTable", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t")]),
    ("route53", "GetChange", {"Id": "/change/C1"},
     [("route53:GetChange", "arn:aws:route53:::change/C1")]),
    ("servicecatalog", "UpdatePortfolio", {"Id": "port-1"},
     [("servicecatalog:UpdatePortfolio", f"arn:aws:catalog:{REGION}:{ACCOUNT}:portfolio/port-1")]),
    ("servicecatalog", "CreateConstraint", {"PortfolioId": "port-1", "ProductId": "prod-1"},
     [("servicecatalog:CreateConstraint", f"arn:aws:catalog:{REGION}:{ACCOUNT}:product/prod-1")]),
    ("servicecatalog", "CreateProduct", {"Name": "p", "Owner": "platform"},
     [("servicecatalog:CreateProduct", "*")]),
])
def test_actions_and_resources(service, operation, params, expected):
    found = iam_actions.authorizations(service, operation, params, REGION, ACCOUNT)
    assert [(action, arn) for action, arn, _ in found] == expected


def test_request_parameters_become_the_actions_condition_keys():
    [(_, _, context)] = iam_actions.authorizations(
        "secretsmanager", "GetSecretValue", {"SecretId": "s", "VersionStage": "AWSPENDING"},
        REGION, ACCOUNT)
    assert context == {"secretsmanager:secretid": "s", "secretsmanager:versionstage": "AWSPENDING"}
    [(_, _, tagged)] = iam_actions.authorizations(
        "secretsmanager", "TagResource", {"SecretId": "s", "Tags": [{"Key": "team", "Value": "a"}]},
        REGION, ACCOUNT)
    assert tagged["aws:requesttag/team"] == "a" and tagged["aws:tagkeys"] == ["team"]


# --- what cfsign ships ---------------------------------------------------------------------------

class _Tags(yaml.SafeLoader):
    """CloudFormation YAML with its short-form intrinsics read as plain values."""


_Tags.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node) if isinstance(node, yaml.MappingNode)
    else loader.construct_scalar(node)))


def _documents():
    for template in sorted((REPO / "products").glob("*/template.yaml")):
        yield template, yaml.load(template.read_text(), Loader=_Tags)
    for example in sorted((REPO / "examples" / "iam").glob("*.json")):
        yield example, json.loads(example.read_text())
    for page in sorted((REPO / "docs").glob("*.md")):
        for block in re.findall(r"```json\n(.*?)```", page.read_text(), re.S):
            if '"Statement"' in block:
                try:
                    yield page, json.loads(block)
                except ValueError:
                    pass


def _conditions(node):
    """Every IAM Condition block (CloudFormation's `Condition: Name` strings are not)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Condition" and isinstance(value, dict):
                yield value
            else:
                yield from _conditions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _conditions(item)


def _shipped_conditions():
    return [(path, condition) for path, document in _documents()
            for condition in _conditions(document)]


def _supplied_keys():
    """Keys the emulator puts in a request context: the global ones, and those it adds for
    KMS use through Secrets Manager and for requests made by a service principal (the edge)."""
    context = iam_enforce.global_context(root(ACCOUNT), {}, REGION)
    return set(context) | {"kms:viaservice", "kms:calleraccount", "aws:sourcearn",
                           "aws:sourceaccount", "kms:encryptioncontext:secretarn"} | \
        set(sc_access.LEVEL_KEYS.values()) | cfn_handlers.SUPPLIED_KEYS


def test_cfsign_ships_conditions():
    assert len(_shipped_conditions()) >= 5


def test_every_condition_operator_cfsign_ships_is_evaluated():
    for path, condition in _shipped_conditions():
        for operator in condition:
            assert known_operator(operator), f"{path}: {operator}"


#: Keys whose value comes from the request's resource, one key per tag (`.../<tag key>`).
TAG_KEY_FAMILIES = ("s3:existingobjecttag/", "secretsmanager:resourcetag/", "aws:resourcetag/",
                    "aws:requesttag/")

#: Keys only a role's policy uses, per template: AWS supplies them on calls the emulator does
#: not check yet (FIDELITY.md, "Known not modelled (IAM)"): the role Service Catalog is passed
#: for a launch constraint, and GitHub's web identity tokens (AssumeRoleWithWebIdentity is not
#: signed). Remove a key here when its calls are checked. (The launch role's keys are those of
#: the resource handlers' calls, cfn_handlers.SUPPLIED_KEYS.)
NOT_CHECKED_YET = {
    "automation-role": {
        "iam:passedtoservice", "iam:policyarn",
        "token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub",
    },
}
#: Keys the request itself carries (iam_actions.request_context): the tag keys of a Tags list,
#: and service keys named like a request parameter (CreateKey's KeySpec and KeyUsage, Sign's
#: SigningAlgorithm; test_request_parameters_become_the_actions_condition_keys).
REQUEST_KEYS = {"aws:tagkeys", "kms:keyspec", "kms:keyusage", "kms:signingalgorithm"}


def test_every_condition_key_cfsign_ships_is_supplied():
    supplied = _supplied_keys()
    for path, condition in _shipped_conditions():
        for tests in condition.values():
            for key in tests:
                key = key.lower()
                if key.startswith(TAG_KEY_FAMILIES):
                    continue
                if path.name == "template.yaml" and \
                        key in NOT_CHECKED_YET.get(path.parent.name, ()):
                    continue
                assert key in supplied | REQUEST_KEYS, f"{path}: {key}"


def _allow_statements(node):
    """Identity-policy Allow statements (no Principal) anywhere in a document."""
    if isinstance(node, dict):
        if node.get("Effect") == "Allow" and "Action" in node and "Principal" not in node:
            yield node
        for value in node.values():
            yield from _allow_statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from _allow_statements(item)


def _unmatchable_grants():
    """(file, action) for each action an Allow names that IAM could never grant: unknown to the
    Service Authorization Reference, or without resource types while the statement names ARNs
    instead of "*"."""
    found = []
    for path, document in _documents():
        for statement in _allow_statements(document):
            names_star = "*" in (statement.get("Resource") if isinstance(
                statement.get("Resource"), list) else [statement.get("Resource")])
            for action in (a for a in as_list(statement["Action"])
                           if isinstance(a, str) and "*" not in a):
                prefix, _, name = action.partition(":")
                privilege = iam_actions.reference(prefix).get("privileges", {}).get(name)
                if privilege is None or (not any(privilege["resource_types"]) and not names_star):
                    found.append((path.relative_to(REPO).as_posix(), action))
    return found


@pytest.mark.xfail(strict=True, reason="cfsign bug for issue 8: the launch role scopes actions "
                   "that support no resource-level permissions to ARNs, so IAM never grants them")
def test_every_action_cfsign_policies_allow_can_be_granted():
    assert _unmatchable_grants() == []
