"""The identities cfsign's docs tell users to create, set up in the local emulator and assumed
with STS, for the Rust tests, the docs walkthrough and the quickstart. Prints credentials as
JSON: {"AWS_ACCESS_KEY_ID": ..., "AWS_SECRET_ACCESS_KEY": ..., "AWS_SESSION_TOKEN": ...}.

Usage (AWS_ENDPOINT_URL names the emulator; the static `testing` key is the account root):
  roles.py automation              the platform automation role (products/automation-role),
                                   as a platform engineer signed in with IAM Identity Center
  roles.py sso PERMISSION_SET      that engineer's own session (the profile the docs' `cfsign`
                                   profile assumes the automation role from)
  roles.py provisioner TEAM        the team's provisioner role (examples/iam/
                                   team-provisioner-policy.json), as one of the team's engineers
  roles.py integration TEAM        the team's integration role (its integration-role product),
                                   as the team's application
  roles.py app TEAM                the ARN of the application's own role (trusted_principal_arn)
  roles.py administrator           an administrator of a sandbox account (an IAM Identity Center
                                   AdministratorAccess session), as the real-account suite runs
  roles.py sandbox DOMAIN          what that suite needs the sandbox to hold: an issued ACM
                                   certificate for *.DOMAIN in us-east-1 and DOMAIN's public
                                   hosted zone; prints {"certificate_arn", "hosted_zone_id"}

What the root does here stands outside the product, done once per emulator: the account
administrator deploys the automation role (as docs/onboarding.md says) and creates the team's
provisioner role; and it stands in for what no emulator has: IAM Identity Center (the role it
creates for a permission set, at its reserved path) and the compute service that gives an
application its role. Every call after that is made with the assumed credentials, so the
emulator evaluates the roles' own policies and trust.
"""
import json
import sys
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
AUTOMATION_STACK = "cfsign-automation-role"
PERMISSION_SET = "PlatformEngineering"
# The path IAM Identity Center gives the roles of permission sets (IAM Identity Center User
# Guide, "Referencing permission sets in resource policies").
SSO_PATH = "/aws-reserved/sso.amazonaws.com/us-east-1/"


def root(service):
    return boto3.client(service, aws_access_key_id="testing", aws_secret_access_key="testing")


def as_credentials(credentials):
    return {"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"]}


def client(service, credentials):
    return boto3.client(service, aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
                        aws_session_token=credentials["AWS_SESSION_TOKEN"])


def assume(credentials, role_arn, session):
    sts = client("sts", credentials) if credentials else root("sts")
    return as_credentials(sts.assume_role(RoleArn=role_arn, RoleSessionName=session)["Credentials"])


def ensure_role(name, trust, policy, path="/"):
    """A role with one inline policy (created by the root, once); returns its ARN."""
    iam = root("iam")
    try:
        arn = iam.create_role(RoleName=name, Path=path,
                              AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="cfsign", PolicyDocument=json.dumps(policy))
    return arn


def trusting_the_account():
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}


def may_assume(*role_arns):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(role_arns)}]}


def sso_session(permission_set, may_assume_arns):
    """A user of the permission set, signed in: the session of the role IAM Identity Center
    creates for it, whose policy lets it assume `may_assume_arns`."""
    name = f"AWSReservedSSO_{permission_set}_0123456789abcdef"
    arn = ensure_role(name, trusting_the_account(), may_assume(*may_assume_arns), SSO_PATH)
    return assume(None, arn, f"{permission_set.lower()}@example.com")


def administrator():
    """A sandbox administrator signed in: the session of the role IAM Identity Center creates
    for an AdministratorAccess permission set."""
    everything = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    arn = ensure_role("AWSReservedSSO_AdministratorAccess_0123456789abcdef",
                      trusting_the_account(), everything, SSO_PATH)
    return assume(None, arn, "sandbox-admin@example.com")


def sandbox(domain):
    """An imported certificate for *.DOMAIN (ACM issues imported ones at once) and the
    domain's hosted zone, once per domain."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    acm = boto3.client("acm", region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    wildcard = f"*.{domain}"
    found = [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]
             if c["DomainName"] == wildcard]
    if found:
        certificate_arn = found[0]
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, wildcard)])
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                       .public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
                       .add_extension(x509.SubjectAlternativeName([x509.DNSName(wildcard)]),
                                      critical=False)
                       .sign(key, hashes.SHA256()))
        certificate_arn = acm.import_certificate(
            Certificate=certificate.public_bytes(serialization.Encoding.PEM),
            PrivateKey=key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))["CertificateArn"]
    route53 = root("route53")
    zones = [z["Id"] for z in route53.list_hosted_zones()["HostedZones"]
             if z["Name"] == f"{domain}."]
    zone = zones[0] if zones else route53.create_hosted_zone(
        Name=domain, CallerReference=domain)["HostedZone"]["Id"]
    return {"certificate_arn": certificate_arn, "hosted_zone_id": zone.rsplit("/", 1)[-1]}


def automation_role_arn():
    """The automation role, deployed by the administrator from its template when missing."""
    cfn = root("cloudformation")
    try:
        stack = cfn.describe_stacks(StackName=AUTOMATION_STACK)["Stacks"][0]
    except cfn.exceptions.ClientError:
        cfn.create_stack(
            StackName=AUTOMATION_STACK, Capabilities=["CAPABILITY_NAMED_IAM"],
            TemplateBody=(REPO / "products/automation-role/template.yaml").read_text(),
            Parameters=[{"ParameterKey": "SsoPermissionSetName",
                         "ParameterValue": PERMISSION_SET}])
        stack = cfn.describe_stacks(StackName=AUTOMATION_STACK)["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), stack
    return next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "RoleArn")


def automation():
    role = automation_role_arn()
    return assume(sso_session(PERMISSION_SET, [role]), role, "platform-engineer")


def provisioner(team):
    """The role a team provisions itself with: examples/iam/team-provisioner-policy.json with
    TEAM replaced, assumed by one of the team's engineers. It lives at a path (as a team's
    roles often do), so provisioning must learn its ARN from IAM: its sessions' ARNs leave the
    path out, and the secret's policy compares the ARN with it."""
    policy = (REPO / "examples/iam/team-provisioner-policy.json").read_text()
    arn = ensure_role(f"cfsign-{team}-provisioner", trusting_the_account(),
                      json.loads(policy.replace("TEAM", team)), f"/teams/{team}/")
    return assume(sso_session(f"Team{team.capitalize()}", [arn]), arn, f"{team}-engineer")


def app_role_arn(team):
    """The application's own role (its ECS task role, say), which the team gives provisioning
    as trusted_principal_arn; it may assume the team's integration role."""
    integration = f"arn:aws:iam::{ACCOUNT}:role/cfsign-{team}-integration"
    return ensure_role(f"{team}-app", trusting_the_account(), may_assume(integration))


def integration(team):
    app = assume(None, app_role_arn(team), f"{team}-app")
    return assume(app, f"arn:aws:iam::{ACCOUNT}:role/cfsign-{team}-integration", f"{team}-app")


def main(command, *args):
    if command == "automation":
        print(json.dumps(automation()))
    elif command == "sso":
        print(json.dumps(sso_session(args[0], [automation_role_arn()])))
    elif command == "provisioner":
        print(json.dumps(provisioner(args[0])))
    elif command == "integration":
        print(json.dumps(integration(args[0])))
    elif command == "app":
        print(app_role_arn(args[0]))
    elif command == "administrator":
        print(json.dumps(administrator()))
    elif command == "sandbox":
        print(json.dumps(sandbox(args[0])))
    else:
        sys.exit(f"roles.py: unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
