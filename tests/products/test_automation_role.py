"""The automation role (products/automation-role) runs every recipe for the platform team, so it
must allow every call each job makes, and nothing beyond cfsign's resources:

- each job's calls (publish, the launch-role stack, provision and teardown, keys, smoke tests
  and probes), as the recipes make them (their host functions' SDK operations, the IAM action
  each needs per the Service Authorization Reference), with the condition keys AWS sends;
- every permission the resource provider schemas of the launch-role stack's resources list for
  the handlers a stack calls (create, read, update, delete): publish deploys that stack with the
  caller's credentials, CloudFormation calls the handlers as the caller;
- its trust: who may assume it (one permission set, one repository's branch, ECS tasks, one
  EKS service account) and who may not.

The Rust tests run the recipes as this role in the emulator, which evaluates the same policies
on every request; this checks what the emulator cannot see (handler calls, trust conditions of
web identities and service principals) and names each missing permission.
"""
import re
from dataclasses import dataclass

import pytest

import policies
import sample
import sar
from cfn import load
from iam_engine import ALLOWED, as_list, conditions_hold, decide, wildcard
from sample import ACCOUNT, AUTOMATION_ROLE_ARN, LAUNCH_ROLE_ARN, PARTITION, REGION

SOURCE = "automation-role"
RESOLVED = sample.resolve(SOURCE)
DOCUMENTS = list(policies.documents_of(RESOLVED, SOURCE))
IDENTITY = [d.document for d in DOCUMENTS if d.kind == "identity"]
TRUST = next(d.document for d in DOCUMENTS if d.kind == "trust")
RESOURCE_POLICIES = [d for d in policies.shipped() if d.kind == "resource"]

TEAM = sample.TEAM
BUCKET = f"arn:{PARTITION}:s3:::cfsign-{TEAM}-{ACCOUNT}-{REGION}"
ARTIFACTS = f"arn:{PARTITION}:s3:::{sample.ARTIFACT_BUCKET}"
TABLE = sample.PARAMETERS["integration-role"]["TableArn"]
SECRET = sample.PARAMETERS["integration-role"]["SecretArn"]
SECRET_BY_NAME = f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:cfsign/{TEAM}/signing-key"
CATALOG = f"arn:{PARTITION}:catalog:{REGION}:{ACCOUNT}"
PORTFOLIO, PRODUCT = f"{CATALOG}:portfolio/port-abcdefghijklm", f"{CATALOG}:product/prod-abcdefghijklm"
TAGGED = {"aws:ResourceTag/cfsign:portfolio": "cfsign"}
NEW_TAGGED = {"aws:RequestTag/cfsign:portfolio": "cfsign", "aws:TagKeys": ["cfsign:portfolio"]}
LAUNCH_STACK = f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/cfsign-launch-role/1a2b3c4d"
OWN_STACK = f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/cfsign-automation-role/1a2b"
VIA_SECRETS = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
               "kms:EncryptionContext:SecretARN": SECRET}


@dataclass
class Call:
    """One request a job makes: `action` on `resource`, with its request's condition keys."""
    what: str
    action: str
    resource: str
    context: dict


def call(what, action, resource="*", **context):
    return Call(what, action, resource, context)


# What each job calls (the recipes' host functions and the SDK operations they send).
JOBS = {
    "publish": [
        *[call("s3::create_bucket, upload_template (a missing object's 404)", f"s3:{a}",
               ARTIFACTS) for a in ("ListBucket", "CreateBucket")],
        *[call("s3::upload_template", f"s3:{a}", f"{ARTIFACTS}/key-pair/0123456789abcdef.yaml")
          for a in ("GetObject", "PutObject")],
        call("servicecatalog::find_portfolio", "servicecatalog:ListPortfolios"),
        call("servicecatalog::create_portfolio", "servicecatalog:CreatePortfolio", **NEW_TAGGED),
        call("servicecatalog::update_portfolio", "servicecatalog:UpdatePortfolio", PORTFOLIO,
             **TAGGED),
        call("servicecatalog::find_product, portfolio_products",
             "servicecatalog:SearchProductsAsAdmin"),
        call("servicecatalog::create_product", "servicecatalog:CreateProduct", **NEW_TAGGED),
        *[call("servicecatalog:: product versions", f"servicecatalog:{a}", PRODUCT, **TAGGED)
          for a in ("UpdateProduct", "ListProvisioningArtifacts", "CreateProvisioningArtifact",
                    "UpdateProvisioningArtifact", "CreateConstraint")],
        *[call("servicecatalog:: associations and constraints", f"servicecatalog:{a}")
          for a in ("AssociateProductWithPortfolio", "ListConstraintsForPortfolio",
                    "DescribeConstraint", "UpdateConstraint")],
        *[call("servicecatalog:: principals and shares", f"servicecatalog:{a}", PORTFOLIO,
               **TAGGED)
          for a in ("ListPrincipalsForPortfolio", "AssociatePrincipalWithPortfolio",
                    "DisassociatePrincipalFromPortfolio", "DescribePortfolioShares",
                    "CreatePortfolioShare", "UpdatePortfolioShare", "DeletePortfolioShare")],
        call("a launch constraint passes the launch role", "iam:PassRole", LAUNCH_ROLE_ARN,
             **{"iam:PassedToService": "servicecatalog.amazonaws.com"}),
        call("the automation role's stack output (a portfolio principal)",
             "cloudformation:DescribeStacks", OWN_STACK),
        *[call("cloudformation::deploy of the launch role", f"cloudformation:{a}", LAUNCH_STACK)
          for a in ("DescribeStacks", "GetTemplate", "CreateStack", "UpdateStack",
                    "DeleteStack", "DescribeStackEvents")],
        call("cloudformation::deploy compares parameters", "cloudformation:ValidateTemplate"),
    ],
    "provision, rotate and teardown": [
        *[call("servicecatalog::describe_product, provision_product", f"servicecatalog:{a}",
               PRODUCT) for a in ("DescribeProduct", "ProvisionProduct")],
        *[call("servicecatalog:: provisioned products", f"servicecatalog:{a}")
          for a in ("DescribeProvisionedProduct", "DescribeRecord",
                    "GetProvisionedProductOutputs", "SearchProvisionedProducts",
                    "UpdateProvisionedProduct", "TerminateProvisionedProduct")],
        call("provisioned::parameters", "cloudformation:DescribeStacks", sample.STACK_ARN),
        call("signing_key::slot_of", "cloudfront:GetPublicKey"),
        *[call("quotas:: headroom, shared response headers policies", f"cloudfront:{a}")
          for a in ("ListDistributions", "ListFunctions", "ListKeyGroups",
                    "ListOriginAccessControls", "ListPublicKeys", "ListResponseHeadersPolicies")],
        call("provision.rhai: the caller's role ARN with its path", "iam:GetRole",
             AUTOMATION_ROLE_ARN),
    ],
    "keys": [
        call("signing_key::refuse_if_scheduled_for_deletion (before the secret exists)",
             "secretsmanager:DescribeSecret", SECRET_BY_NAME),
        *[call("secretsmanager:: signing keys", f"secretsmanager:{a}", SECRET)
          for a in ("DescribeSecret", "GetSecretValue", "PutSecretValue",
                    "UpdateSecretVersionStage", "ListSecretVersionIds", "DeleteSecret")],
        call("rotation: the promotion time", "secretsmanager:TagResource", SECRET,
             **{"aws:TagKeys": ["cfsign:promoted-at"],
                "aws:RequestTag/cfsign:promoted-at": "1700000000"}),
        *[call("a secret under the team's KMS key", f"kms:{a}", sample.KMS_KEY_ARN,
               **VIA_SECRETS) for a in ("GenerateDataKey", "Decrypt")],
    ],
    "smoke tests, probes, emptying a bucket": [
        call("s3::head_object, list_objects", "s3:ListBucket", BUCKET),
        call("s3::list_object_versions, empty_bucket", "s3:ListBucketVersions", BUCKET),
        call("s3::delete_object_versions: a version or delete marker",
             "s3:DeleteObjectVersion", f"{BUCKET}/uploads/cfsign-smoke-1700000000.txt"),
        call("smoke: the test object is gone", "s3:GetObject",
             f"{BUCKET}/uploads/cfsign-smoke-1700000000.txt"),
        *[call("s3::delete_object", "s3:DeleteObject", f"{BUCKET}/{key}")
          for key in ("uploads/cfsign-smoke-1700000000.txt", "uploads/.cfsign-rotation-probe",
                      "reports/q3.pdf")],
        *[call("smoke: a metadata item", f"dynamodb:{a}", TABLE)
          for a in ("DescribeTable", "PutItem", "GetItem", "DeleteItem")],
    ],
}


def verdict(action, resource, context, identity=None):
    """The decision for the automation role's session, its resource's policies included."""
    context = {"aws:PrincipalArn": AUTOMATION_ROLE_ARN, "aws:SecureTransport": "true", **context}
    attached = [d.document for d in RESOURCE_POLICIES
                if any(wildcard(p, resource) for p in d.attached_to)]
    return decide(identity or IDENTITY, attached, action, resource, context, AUTOMATION_ROLE_ARN)


def refused(calls):
    return [f"{c.what}: {c.action} on {c.resource}: {v}" for c in calls
            if (v := verdict(c.action, c.resource, c.context)) != ALLOWED]


@pytest.mark.parametrize("job", JOBS)
def test_every_call_of_the_job_is_allowed(job):
    missing = refused(JOBS[job])
    assert not missing, f"the automation role does not allow, for {job}:\n" + "\n".join(missing)


# --- the launch-role stack: its resource handlers, called with the caller's credentials --------

LAUNCH = sample.resolve("launch-role")
# The launch role's managed policies name Roles only: the handlers' group and user calls
# (AttachGroupPolicy, DetachUserPolicy, ...) act on nothing the stack has.
NOT_CALLED = {"group", "user"}


def handler_targets(action, logical_id, resource):
    """[(resource ARN, condition keys)] a handler's `action` is authorized against."""
    types = sar.resource_types(action)
    if not types:
        return [("*", {})]
    policy_arn = LAUNCH.names[logical_id] if resource["Type"] == "AWS::IAM::ManagedPolicy" \
        else f"arn:{PARTITION}:iam::{ACCOUNT}:policy/cfsign-launch-role-SomePolicy-0A1B2C3D"
    targets = []
    for kind in types:
        if kind in NOT_CALLED:
            continue
        arn = {"role": LAUNCH_ROLE_ARN, "policy": policy_arn}[kind]
        context = {"iam:PolicyARN": policy_arn} if action == "iam:AttachRolePolicy" else {}
        targets.append((arn, context))
    return targets


def launch_stack_handler_calls():
    for logical_id, resource in LAUNCH.resources.items():
        for handler, permissions in sar.handler_permissions(resource["Type"]).items():
            if handler not in sar.STACK_HANDLERS:
                continue
            for action in permissions:
                for arn, context in handler_targets(action, logical_id, resource):
                    yield call(f"launch-role/{logical_id} ({resource['Type']}) {handler}", action,
                               arn, **context)


def test_the_launch_role_stack_can_be_deployed_with_its_handler_permissions():
    calls = list(launch_stack_handler_calls())
    kinds = {c.what.split("(")[1].split(")")[0] for c in calls}
    assert kinds == {r["Type"] for r in load("launch-role")["Resources"].values()}, kinds
    assert len(calls) > 30, len(calls)
    missing = refused(calls)
    assert not missing, "the automation role cannot deploy the launch role:\n" + "\n".join(missing)


# --- nothing beyond cfsign -----------------------------------------------------------------------

ADMIN_ROLE = f"arn:{PARTITION}:iam::{ACCOUNT}:role/Admin"
FOREIGN = [
    ("iam:PutRolePolicy", ADMIN_ROLE, {}),
    ("iam:PutRolePolicy", AUTOMATION_ROLE_ARN, {}),
    ("iam:AttachRolePolicy", LAUNCH_ROLE_ARN,
     {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ("iam:AttachRolePolicy", AUTOMATION_ROLE_ARN,
     {"iam:PolicyARN": f"arn:{PARTITION}:iam::{ACCOUNT}:policy/cfsign-launch-role-x-0A1B2C3D"}),
    ("iam:CreatePolicyVersion", f"arn:{PARTITION}:iam::{ACCOUNT}:policy/cfsign-automation-keys",
     {}),
    ("iam:PassRole", LAUNCH_ROLE_ARN, {"iam:PassedToService": "cloudformation.amazonaws.com"}),
    ("iam:PassRole", ADMIN_ROLE, {"iam:PassedToService": "servicecatalog.amazonaws.com"}),
    ("iam:CreateRole", f"arn:{PARTITION}:iam::{ACCOUNT}:role/cfsign-payments-integration", {}),
    ("servicecatalog:CreatePortfolio", "*", {}),
    ("servicecatalog:CreatePortfolio", "*", {"aws:RequestTag/cfsign:portfolio": "other"}),
    ("servicecatalog:UpdatePortfolio", PORTFOLIO, {}),
    ("servicecatalog:AssociatePrincipalWithPortfolio", PORTFOLIO,
     {"aws:ResourceTag/cfsign:portfolio": "finance"}),
    ("servicecatalog:CreateProvisioningArtifact", PRODUCT, {}),
    ("servicecatalog:DeletePortfolio", PORTFOLIO, TAGGED),
    ("cloudformation:UpdateStack", sample.STACK_ARN, {}),
    ("cloudformation:CreateStack",
     f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/company-network/1a2b", {}),
    ("secretsmanager:GetSecretValue",
     f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/database-AbCdEf", {}),
    ("secretsmanager:PutSecretValue",
     f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:cfsign/payments/other-AbCdEf", {}),
    ("secretsmanager:PutResourcePolicy", SECRET, {}),
    ("secretsmanager:TagResource", SECRET, {"aws:TagKeys": ["cfsign:team"]}),
    ("secretsmanager:TagResource", SECRET, {"aws:TagKeys": ["cfsign:promoted-at", "owner"]}),
    ("kms:Decrypt", sample.KMS_KEY_ARN, {}),
    ("kms:Decrypt", sample.KMS_KEY_ARN,
     {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
      "kms:EncryptionContext:SecretARN":
          f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/database-AbCdEf"}),
    ("s3:GetObject", f"{BUCKET}/uploads/customer-upload.pdf", {}),
    ("s3:PutObject", f"{BUCKET}/uploads/a.txt", {}),
    ("s3:DeleteObject", "arn:aws:s3:::company-data/report.csv", {}),
    ("s3:DeleteObjectVersion", "arn:aws:s3:::company-data/report.csv", {}),
    ("s3:ListBucketVersions", ARTIFACTS, {}),
    ("s3:PutBucketPolicy", ARTIFACTS, {}),
    ("s3:DeleteObject", f"{ARTIFACTS}/key-pair/0123456789abcdef.yaml", {}),
    ("dynamodb:Scan", TABLE, {}),
    ("dynamodb:PutItem", f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/orders", {}),
]


@pytest.mark.parametrize("action, resource, context", FOREIGN, ids=lambda v: str(v)[:70])
def test_the_automation_role_reaches_nothing_beyond_cfsign(action, resource, context):
    assert verdict(action, resource, context) != ALLOWED


def test_the_portfolio_tag_follows_the_portfolio_name():
    finance = [d.document for d in policies.documents_of(
        sample.resolve(SOURCE, PortfolioName="finance-cfsign"), SOURCE) if d.kind == "identity"]
    context = {"aws:ResourceTag/cfsign:portfolio": "finance-cfsign"}
    assert verdict("servicecatalog:UpdatePortfolio", PORTFOLIO, context, finance) == ALLOWED
    assert verdict("servicecatalog:UpdatePortfolio", PORTFOLIO, TAGGED, finance) != ALLOWED


# --- trust ---------------------------------------------------------------------------------------

ACCOUNT_ROOT = f"arn:{PARTITION}:iam::{ACCOUNT}:root"
GITHUB = f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SSO_ROLE = (f"arn:{PARTITION}:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{{region}}"
            "AWSReservedSSO_{name}_0123456789abcdef")
CLUSTER = f"arn:{PARTITION}:eks:{REGION}:{ACCOUNT}:cluster/platform"


def trusted(trust, principal, action, context):
    """Whether the trust policy lets `principal` (("AWS", the caller's ARN of this account),
    ("Federated", provider ARN) or ("Service", name)) call `action`. A statement naming the
    account root delegates to IAM: it admits any principal of the account (whose own policy
    must allow too, which the emulator checks); every other name must be the caller's."""
    kind, name = principal
    for statement in as_list(trust["Statement"]):
        named = as_list(statement["Principal"].get(kind, []))
        delegated = kind == "AWS" and ACCOUNT_ROOT in named and f":{ACCOUNT}:" in name
        if statement["Effect"] == "Allow" and (name in named or delegated) \
                and any(wildcard(a, action, ignore_case=True) for a in as_list(statement["Action"])) \
                and conditions_hold(statement.get("Condition"), {"aws:PrincipalArn": name, **context}):
            return True
    return False


def sso(name, region="us-east-1/"):
    return ("AWS", SSO_ROLE.format(region=region, name=name))


def github(sub, aud="sts.amazonaws.com"):
    return {"token.actions.githubusercontent.com:sub": sub,
            "token.actions.githubusercontent.com:aud": aud}


def pod(namespace="platform", service_account="cfsign-rotation", cluster=CLUSTER):
    return {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": cluster,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account}


ECS_TASK = {"aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": f"arn:{PARTITION}:ecs:{REGION}:{ACCOUNT}:task/platform/0a1b2c3d"}
BRANCH = "repo:example-org/platform-cfsign:ref:refs/heads/main"

ADMITTED = [
    ("a permission set user, regional role path", sso("PlatformEngineering"), "sts:AssumeRole", {}),
    ("a permission set user, role path without a region", sso("PlatformEngineering", ""),
     "sts:AssumeRole", {}),
    ("the workflow on the branch", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github(BRANCH)),
    ("an ECS task of the account", ("Service", "ecs-tasks.amazonaws.com"), "sts:AssumeRole",
     ECS_TASK),
    ("the service account's pod", ("Service", "pods.eks.amazonaws.com"), "sts:AssumeRole", pod()),
    ("the service account's pod tags its session", ("Service", "pods.eks.amazonaws.com"),
     "sts:TagSession", pod()),
]
REFUSED = [
    ("another permission set", sso("ReadOnly"), "sts:AssumeRole", {}),
    ("a role named like the permission set", ("AWS", f"arn:{PARTITION}:iam::{ACCOUNT}:role/"
                                                     "AWSReservedSSO_PlatformEngineering_0a1b"),
     "sts:AssumeRole", {}),
    ("another account's permission set",
     ("AWS", SSO_ROLE.format(region="", name="PlatformEngineering").replace(ACCOUNT, "444455556666")),
     "sts:AssumeRole", {}),
    ("another branch", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github("repo:example-org/platform-cfsign:ref:refs/heads/feature")),
    ("a pull request", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github("repo:example-org/platform-cfsign:pull_request")),
    ("a tag", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github("repo:example-org/platform-cfsign:ref:refs/tags/v1")),
    ("another repository", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github("repo:example-org/fork-of-cfsign:ref:refs/heads/main")),
    ("a token for another audience", ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
     github(BRANCH, aud="https://github.com/example-org")),
    ("GitHub's token through AssumeRole", ("Federated", GITHUB), "sts:AssumeRole", github(BRANCH)),
    ("an ECS task of another account", ("Service", "ecs-tasks.amazonaws.com"), "sts:AssumeRole",
     {"aws:SourceAccount": "444455556666",
      "aws:SourceArn": f"arn:{PARTITION}:ecs:{REGION}:444455556666:task/x/0a1b"}),
    ("another service account", ("Service", "pods.eks.amazonaws.com"), "sts:AssumeRole",
     pod(service_account="default")),
    ("another namespace", ("Service", "pods.eks.amazonaws.com"), "sts:AssumeRole",
     pod(namespace="team-payments")),
    ("another cluster", ("Service", "pods.eks.amazonaws.com"), "sts:AssumeRole",
     pod(cluster=CLUSTER.replace("platform", "sandbox"))),
    ("Lambda", ("Service", "lambda.amazonaws.com"), "sts:AssumeRole", {}),
]


@pytest.mark.parametrize("what, principal, action, context", ADMITTED, ids=lambda v: str(v)[:50])
def test_the_trust_admits(what, principal, action, context):
    assert trusted(TRUST, principal, action, context), what


@pytest.mark.parametrize("what, principal, action, context", REFUSED, ids=lambda v: str(v)[:50])
def test_the_trust_refuses(what, principal, action, context):
    assert not trusted(TRUST, principal, action, context), what


def test_the_trust_holds_only_what_is_asked_for():
    only_sso = sample.resolve(SOURCE, GitHubRepository="", TrustEcsTasks="false",
                              EksClusterName="")
    trust = next(d.document for d in policies.documents_of(only_sso, SOURCE) if d.kind == "trust")
    assert [s["Sid"] for s in trust["Statement"]] == ["PlatformEngineersThroughIdentityCenter"]
    assert not trusted(trust, ("Federated", GITHUB), "sts:AssumeRoleWithWebIdentity",
                       github(BRANCH))
    rule = load(SOURCE)["Rules"]["SomeoneCanAssumeTheRole"]["Assertions"][0]["Assert"]["Fn::Or"]
    assert len(rule) == len(trust_parameters()), rule


def trust_parameters():
    return [name for name in load(SOURCE)["Parameters"]
            if name in ("SsoPermissionSetName", "GitHubRepository", "TrustEcsTasks",
                        "EksClusterName")]


def test_the_docs_name_the_role_the_recipes_default_to():
    template = load(SOURCE)
    name = template["Parameters"]["RoleName"]["Default"]
    assert AUTOMATION_ROLE_ARN.endswith(f":role/{name}")
    assert re.fullmatch(template["Parameters"]["RoleName"]["AllowedPattern"], name)
    catalog = (policies.REPO / "stdlib" / "catalog.rhai").read_text()
    assert f'"{sample.STACK_NAMES[SOURCE]}"' in catalog
