"""The key-pair product's in-account key generator (products/key-pair, a "generate" slot), run
by the emulator as CloudFormation and Lambda run it (cfn_custom.py): launched as the launch
role, the key is made inside the account, its private key reaches only the team's secret, and
a rotation's stage and retire are stack updates."""
import json

from cryptography.hazmat.primitives import serialization

from emulator_testing import (PRODUCTS, allow, as_role, client, failure, make_role, refused,
                              unique)

def launch_role(endpoint):
    """The launch role, deployed as publish deploys it; returns its ARN."""
    name = unique("cfsign-kg") + "-launch"
    cfn = client(endpoint, "cloudformation")
    stack = unique("launch-role")
    cfn.create_stack(StackName=stack, TemplateBody=(PRODUCTS / "launch-role/template.yaml")
                     .read_text(), Capabilities=["CAPABILITY_NAMED_IAM"], Parameters=[
        {"ParameterKey": "ArtifactBucketName", "ParameterValue": unique("artifacts")},
        {"ParameterKey": "RoleName", "ParameterValue": name}])
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "RoleArn")


def as_launch_role(endpoint, name, product, parameters, role_arn):
    """Creates or updates the product's stack with the launch role as its service role (as
    Service Catalog runs it); returns (status, outputs)."""
    cfn = client(endpoint, "cloudformation")
    body = (PRODUCTS / product / "template.yaml").read_text()
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    existing = [s for s in cfn.list_stacks()["StackSummaries"]
                if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"]
    operation = cfn.update_stack if existing else cfn.create_stack
    operation(StackName=name, TemplateBody=body, Parameters=params, RoleARN=role_arn,
              Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack["StackStatus"], {o["OutputKey"]: o["OutputValue"]
                                  for o in stack.get("Outputs", [])}


def versions(endpoint, secret_arn):
    """{version id: (stages, value)} of every version of the secret."""
    secrets = client(endpoint, "secretsmanager")
    listed = secrets.list_secret_version_ids(SecretId=secret_arn, IncludeDeprecated=True)
    return {v["VersionId"]: (set(v.get("VersionStages", [])), json.loads(
        secrets.get_secret_value(SecretId=secret_arn, VersionId=v["VersionId"])[
            "SecretString"])) for v in listed["Versions"]}


def staged(endpoint, secret_arn, stage):
    return next(value for stages, value in versions(endpoint, secret_arn).values()
                if stage in stages)


def public_key_of(private_pem):
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def held_by_cloudfront(endpoint, key_pair_id):
    return client(endpoint, "cloudfront").get_public_key(Id=key_pair_id)["PublicKey"][
        "PublicKeyConfig"]["EncodedKey"].encode()


def no_key_material(endpoint, stack_name):
    """Whether the stack's parameters, outputs and events hold no private key."""
    cfn = client(endpoint, "cloudformation")
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
    text = json.dumps([stack.get("Parameters"), stack.get("Outputs"), events], default=str)
    return "PRIVATE KEY" not in text and "privateKey" not in text


def test_a_generate_slot_makes_its_key_in_the_account_and_rotates_by_stack_updates(
        endpoint, capfd):
    role = launch_role(endpoint)
    team = unique("kg").replace("-", "")[:12]
    automation = make_role(endpoint, name=f"cfsign-{team}-automation")
    status, secret = as_launch_role(endpoint, f"SC-{team}-secret", "private-key-secret", {
        "TeamName": team, "AutomationRoleArn": automation}, role)
    assert status == "CREATE_COMPLETE", failure(client(endpoint, "cloudformation"),
                                                f"SC-{team}-secret")
    keys = f"SC-{team}-keys"
    status, out = as_launch_role(endpoint, keys, "key-pair", {
        "TeamName": team, "KeySlotAPublicKey": "generate"}, role)
    assert status == "CREATE_COMPLETE", failure(client(endpoint, "cloudformation"), keys)

    # The team's first key: AWSCURRENT, with the id CloudFront gave its public key, and no
    # AWSPENDING left behind.
    arn = secret["SecretArn"]
    current = staged(endpoint, arn, "AWSCURRENT")
    assert current["keyPairId"] == out["KeySlotAPublicKeyId"]
    assert public_key_of(current["privateKey"]) == held_by_cloudfront(
        endpoint, current["keyPairId"])
    assert not any("AWSPENDING" in stages for stages, _ in versions(endpoint, arn).values())

    # stage: slot B filled by the generator; its key is AWSPENDING, the current one unchanged.
    status, out = as_launch_role(endpoint, keys, "key-pair", {
        "TeamName": team, "KeySlotAPublicKey": "generate", "KeySlotBPublicKey": "generate",
        "KeySlotBFillId": "1700000000", "KeyType": "ecdsa-p256"}, role)
    assert status == "UPDATE_COMPLETE", failure(client(endpoint, "cloudformation"), keys)
    pending = staged(endpoint, arn, "AWSPENDING")
    assert pending["keyPairId"] == out["KeySlotBPublicKeyId"] != current["keyPairId"]
    assert "BEGIN PRIVATE KEY" in pending["privateKey"]
    assert public_key_of(pending["privateKey"]) == held_by_cloudfront(
        endpoint, pending["keyPairId"])
    assert staged(endpoint, arn, "AWSCURRENT") == current  # slot A's key was not remade
    assert out["KeySlotAPublicKeyId"] == current["keyPairId"]

    # retire: slot A emptied; its public key goes, its private key stays in its version.
    status, out = as_launch_role(endpoint, keys, "key-pair", {
        "TeamName": team, "KeySlotBPublicKey": "generate", "KeySlotBFillId": "1700000000",
        "KeyType": "ecdsa-p256"}, role)
    assert status == "UPDATE_COMPLETE", failure(client(endpoint, "cloudformation"), keys)
    assert "KeySlotAPublicKeyId" not in out
    assert any(v["privateKey"] == current["privateKey"]
               for _, v in versions(endpoint, arn).values())

    assert no_key_material(endpoint, keys)
    logged = capfd.readouterr()
    assert "PRIVATE KEY" not in logged.out + logged.err
    assert f"cfsign-{team}-keygen" in logged.err  # the generator ran, and logged

    client(endpoint, "cloudformation").delete_stack(StackName=keys)
    kept = [value["privateKey"] for _, value in versions(endpoint, arn).values()]
    assert current["privateKey"] in kept and pending["privateKey"] in kept


def test_another_teams_generator_cannot_write_the_teams_secret(endpoint):
    """The secret's own policy admits the key generator of its team only: a role named for
    another team, even one allowed everything, is refused."""
    role = launch_role(endpoint)
    team = unique("kg").replace("-", "")[:12]
    automation = make_role(endpoint, name=f"cfsign-{team}-automation")
    status, secret = as_launch_role(endpoint, f"SC-{team}-secret", "private-key-secret", {
        "TeamName": team, "AutomationRoleArn": automation}, role)
    assert status == "CREATE_COMPLETE"
    intruder = make_role(endpoint, allow("secretsmanager:*"), name=f"cfsign-other{team}-keygen")
    secrets = as_role(endpoint, intruder, "secretsmanager")
    answer = refused(secrets.put_secret_value, SecretId=secret["SecretArn"],
                     SecretString='{"keyPairId": "", "privateKey": ""}')
    assert answer["Error"]["Code"] == "AccessDeniedException"
    assert "explicit deny in a resource-based policy" in answer["Error"]["Message"]
