"""parliament (pinned in requirements.txt, with its community auditors) lints every IAM policy
document we ship (policies.py: the products' and examples' identity and resource policies, a
role's inline and managed policies as one document, since privilege-escalation findings are
about what a role holds together). Trust policies are left out: parliament reads a statement
without Resource as malformed, and a trust policy has none.

parliament's Service Authorization Reference is a 2025 snapshot, older than the resource
handlers and the reference cfn-lint ships (sar.py). A statement holding an action parliament
does not know is linted again without it (parliament skips the rest of such a statement), and
a finding the newer reference settles is justified by it. Every other finding fails the test
unless JUSTIFIED lists it, with its reason, for the document it is in.
"""
import copy
import json

import parliament
import pytest

import policies
import sample
import sar
from iam_engine import as_list

DOCUMENTS = list(policies.effective())
LAUNCH_ROLE = "launch-role:LaunchRole"
AUTOMATION_ROLE = "automation-role:AutomationRole"
PROVISIONER = "examples/iam/team-provisioner-policy.json"

JUSTIFIED = [
    (LAUNCH_ROLE, "RESOURCE_STAR", {"s3:GetObject"},
     "Service Catalog launches from its own copy of the template, in a bucket it owns: its "
     "launch-constraint page grants s3:GetObject on * with the servicecatalog:provisioning "
     "object tag (the statement's condition)."),
    (LAUNCH_ROLE, "PERMISSIONS_MANAGEMENT_ACTIONS", {
        "iam:createrole", "iam:deleterole", "iam:updaterole", "iam:updateroledescription",
        "iam:updateassumerolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy",
        "iam:attachrolepolicy", "iam:detachrolepolicy", "iam:putrolepermissionsboundary",
        "iam:deleterolepermissionsboundary", "iam:createservicelinkedrole", "iam:passrole",
        "s3:putbucketacl", "s3:putbucketpolicy", "s3:deletebucketpolicy",
        "s3:putbucketpublicaccessblock", "s3:putobjectacl", "secretsmanager:putresourcepolicy",
        "secretsmanager:deleteresourcepolicy", "kms:creategrant", "kms:revokegrant",
        "cloudformation:setstackpolicy",
    }, "Writing these is the launch role's job: the integration role and its inline policy, the "
       "team bucket's policy and public-access block, the secret's resource policy, the "
       "table's KMS grants, the stack policy. Each is scoped to cfsign names, "
       "and what is written is fixed by the product templates (checked by the guard rules)."),
    (LAUNCH_ROLE, "RESOURCE_POLICY_PRIVILEGE_ESCALATION", {
        f"Possible resource policy privilege escalation on arn:aws:s3:::cfsign-*-111122223333-"
        f"us-east-1 due to {read} not being allowed, but does allow {write}"
        for read in ("s3:GetObject", "s3:PutObject")
        for write in ("s3:PutBucketAcl", "s3:PutBucketPolicy")},
     "The launch role writes the team bucket's policy and ACL settings as the s3-bucket "
     "template defines them (OAC-only, TLS-only, ACLs disabled: guard rules s3_bucket_*); it "
     "never reads or writes the team's objects."),
    (LAUNCH_ROLE, "RESOURCE_POLICY_PRIVILEGE_ESCALATION", {
        f"Possible resource policy privilege escalation on arn:aws:s3:::cfsign-logs-* due to "
        f"{read} not being allowed, but does allow s3:PutBucketAcl"
        for read in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")},
     "CloudFront standard logging adds its log delivery account to the log bucket's ACL as the "
     "creator of the distribution (the CloudFront Developer Guide's required s3:GetBucketAcl "
     "and s3:PutBucketAcl); the distribution template sets only its Logging.Bucket, so what "
     "the ACL gets is CloudFront's grant, never the launch role's own access."),
    (LAUNCH_ROLE, "PRIVILEGE_ESCALATION", {"PassExistingRoleToCloudFormation"},
     "iam:PassRole is granted only towards S3 (iam:PassedToService) and only for roles named "
     "like a team bucket, which no product creates: it cannot pass a role to CloudFormation."),
    (AUTOMATION_ROLE, "PERMISSIONS_MANAGEMENT_ACTIONS", {
        "iam:createrole", "iam:deleterole", "iam:updaterole", "iam:updateroledescription",
        "iam:updateassumerolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy",
        "iam:attachrolepolicy", "iam:detachrolepolicy", "iam:putrolepermissionsboundary",
        "iam:deleterolepermissionsboundary", "iam:createpolicy", "iam:createpolicyversion",
        "iam:deletepolicy", "iam:deletepolicyversion", "iam:passrole",
    }, "Publish deploys the launch role (CAPABILITY_NAMED_IAM) with the caller's credentials: "
       "these are the AWS::IAM::Role and ::ManagedPolicy handler permissions, on the launch "
       "role's name and the policies CloudFormation names cfsign-launch-role-* only; "
       "iam:PassRole only for the launch role and only to Service Catalog."),
    (AUTOMATION_ROLE, "PERMISSIONS_MANAGEMENT_ACTIONS", {"kms:createkey"},
     "A KMS-backed team's signing keys (stdlib/signing_key.rhai): only asymmetric SIGN_VERIFY "
     "keys of the two types CloudFront verifies (kms:KeySpec, kms:KeyUsage). The key policy "
     "CreateKey sets is the only grant on the new key beyond the account's IAM: it lets this "
     "role read, sign with and schedule the deletion of its own keys, and denies signing to "
     "everyone but this role and the team's integration role."),
    (PROVISIONER, "PERMISSIONS_MANAGEMENT_ACTIONS", {"kms:createkey"},
     "A team that provisions itself with key_store=kms creates its own signing keys, as the "
     "automation role does for the platform: asymmetric SIGN_VERIFY keys of the two types "
     "CloudFront verifies only, and the key policy CreateKey sets names this role as the key's "
     "automation role; no other key in the account is reached."),
    (AUTOMATION_ROLE, "PRIVILEGE_ESCALATION", {"CreateNewPolicyVersion"},
     "iam:CreatePolicyVersion reaches only the launch role's own managed policies, which "
     "publish must update; the role's own policies are out of reach (products/automation-role/"
     "README.md says what publishing the launch role implies)."),
    (AUTOMATION_ROLE, "PRIVILEGE_ESCALATION", {"PassExistingRoleToCloudFormation"},
     "iam:PassRole is granted only towards Service Catalog (iam:PassedToService): the launch-role "
     "stack is deployed without a service role."),
    (LAUNCH_ROLE, "PRIVILEGE_ESCALATION", {"EditExistingLambdaFunctionWithRole",
                                           "PassExistingRoleToNewLambdaThenInvoke"},
     "The key-pair product's key generator: the launch role creates, updates and invokes "
     "functions named cfsign-*-keygen only, with code fixed by the key-pair template, and "
     "passes them only roles named cfsign-*-keygen (to Lambda only), whose policy reaches one "
     "team's secret. Only Service Catalog assumes the launch role, for the portfolio's "
     "templates."),
    (LAUNCH_ROLE, "UNKNOWN_ACTION", {"lambda:AssociateRuntimeAlias"},
     "The AWS::Lambda::Function handlers list it (cfn-lint's provider schemas) though neither "
     "parliament's snapshot nor the pinned Service Authorization Reference has it yet; granted "
     "on the key generator functions only (test_launch_role.NEWER_THAN_REFERENCE)."),
    (LAUNCH_ROLE, "UNKNOWN_PREFIX", {"Unknown prefix s3files"},
     "S3 Files is newer than parliament's snapshot; the pinned Service Authorization Reference "
     "has it. The AWS::Lambda::Function handlers list s3files:ListMountTargets, granted on "
     "file systems named like a key generator only."),
    (LAUNCH_ROLE, "RESOURCE_MISMATCH", {"lambda:PutFunctionCodeSigningConfig"},
     "parliament's snapshot has it on code signing configs only; the pinned Service "
     "Authorization Reference adds the function it sets the config of, which is what the "
     "AWS::Lambda::Function update handler calls it on."),
    ("examples/rotation/eventbridge-ecs.yaml:SchedulerRole",
     "PERMISSIONS_MANAGEMENT_ACTIONS", {"iam:passrole"},
     "EventBridge Scheduler's ECS target passes the task's execution and task roles: PassRole "
     "is scoped to those two roles and to ecs-tasks.amazonaws.com."),
]


def settled_by_the_newer_reference(issue, subject):
    """Findings parliament's older snapshot raises and the newer reference answers."""
    if issue == "UNKNOWN_ACTION":
        return sar.is_action(subject)
    if issue == "RESOURCE_STAR":
        return sar.star_allowed(subject)
    return False


def subjects(finding):
    """What a finding is about: the actions it names, else its detail."""
    location = finding.location if isinstance(finding.location, dict) else {}
    if finding.issue == "UNKNOWN_ACTION":
        return [location["string"]]
    if finding.issue == "RESOURCE_STAR":
        return list(finding.detail)
    if finding.issue == "RESOURCE_MISMATCH":
        return [d["action"] for d in finding.detail]
    if finding.issue == "PRIVILEGE_ESCALATION":
        return [location["type"]]
    if "actions" in location:
        return list(location["actions"])
    return [str(finding.detail)]


def analyze(document):
    found = parliament.analyze_policy_string(json.dumps(document),
                                             include_community_auditors=True).findings
    return {(f.issue, s) for f in found for s in subjects(f)}


def without(document, actions):
    """The document with `actions` dropped from every statement."""
    stripped = copy.deepcopy(document)
    for statement in stripped["Statement"]:
        if "Action" in statement:
            statement["Action"] = [a for a in as_list(statement["Action"])
                                   if a not in actions]
    stripped["Statement"] = [s for s in stripped["Statement"] if s.get("Action") != []]
    return stripped


def findings_of(document):
    found = analyze(document)
    unknown = {s for issue, s in found if issue == "UNKNOWN_ACTION"}
    prefixes = {s.rsplit(" ", 1)[1] for issue, s in found if issue == "UNKNOWN_PREFIX"}
    unknown |= {a for statement in document["Statement"]
                for a in as_list(statement.get("Action", []))
                if a.split(":")[0] in prefixes}
    return found | analyze(without(document, unknown)) if unknown else found


def justified(where, issue, subject):
    return any(w == where and i == issue and subject in s for w, i, s, _ in JUSTIFIED)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.where)
def test_parliament_finds_nothing_unjustified(document):
    unjustified = sorted(
        (issue, subject) for issue, subject in findings_of(document.document)
        if not settled_by_the_newer_reference(issue, subject)
        and not justified(document.where, issue, subject))
    assert not unjustified, f"{document.where}: {unjustified}"


def test_every_justified_exception_is_still_needed():
    found = {d.where: findings_of(d.document) for d in DOCUMENTS}
    stale = [(where, issue, subject) for where, issue, listed, _ in JUSTIFIED
             for subject in listed if (issue, subject) not in found.get(where, set())]
    assert not stale, stale


def test_parliament_lints_every_kind_of_document_we_ship():
    kinds = {(d.where.split(":")[0], d.kind) for d in DOCUMENTS}
    roles = {d.where for d in DOCUMENTS if d.where.count(":") == 1}
    assert {LAUNCH_ROLE, AUTOMATION_ROLE, "integration-role:Role"} <= roles, roles
    assert {("launch-role", "identity"), ("integration-role", "identity"),
            ("s3-bucket", "resource"), ("private-key-secret", "resource"),
            ("examples/rotation/eventbridge-ecs.yaml", "identity"),
            ("examples/iam/team-provisioner-policy.json", "identity")} <= kinds


# IAM User Guide, "IAM and AWS STS quotas": a role's inline policies hold at most 10,240
# characters together, a managed policy at most 6,144; white space does not count. Measured
# with the longest partition and region names, so every account and region fits.
INLINE_LIMIT, MANAGED_LIMIT = 10240, 6144


def size(document):
    text = json.dumps(document, separators=(",", ":"))
    return len(text.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "ap-southeast-7"))


def test_every_policy_fits_iams_size_quotas():
    too_big = []
    for source in policies.TEMPLATES + policies.EXAMPLE_TEMPLATES:
        resolved = sample.resolve(source)
        for logical_id, resource in resolved.resources.items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::IAM::Role":
                total = sum(size(p["PolicyDocument"]) for p in properties.get("Policies", []))
                if total > INLINE_LIMIT:
                    too_big.append(f"{source}:{logical_id} inline policies: {total}")
            elif resource["Type"] == "AWS::IAM::ManagedPolicy":
                if (n := size(properties["PolicyDocument"])) > MANAGED_LIMIT:
                    too_big.append(f"{source}:{logical_id}: {n}")
    assert not too_big, too_big

