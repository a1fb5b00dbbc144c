"""The one-click product (products/signed-url-stack) is the six modules composed by
products/compose.py: the committed template is what the modules compose to, every module's
resources are in it, the wiring is resolved to the resources it names (no module waits for a
parameter another fills), and what it decides is decided the way CloudFormation would."""
import importlib.util
import json

import pytest

import sample
from cfn import PRODUCTS, REPO, Resolved, load

SPEC = importlib.util.spec_from_file_location("compose", PRODUCTS / "compose.py")
compose = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(compose)

CONTRACT = json.loads((PRODUCTS / "contract.json").read_text())
STACK = "signed-url-stack"


def test_the_committed_template_and_readme_are_what_the_modules_compose_to():
    for path, text in compose.generated_files().items():
        assert path.read_text() == text, (
            f"{path.relative_to(REPO)} is stale: run products/compose")


def test_every_module_resource_and_output_is_composed():
    composed = load(STACK)
    for folder in CONTRACT["provisioningOrder"]:
        module = load(folder)
        assert set(module["Resources"]) <= set(composed["Resources"]), folder
        assert set(module.get("Outputs", {})) <= set(composed["Outputs"]), folder
        for logical_id in module["Resources"]:
            assert composed["Resources"][logical_id]["Metadata"]["cfsign"]["module"] == folder


def test_no_wired_parameter_is_left_for_the_launcher():
    parameters = load(STACK)["Parameters"]
    for wiring in CONTRACT["wiring"]:
        assert wiring["to"].split(".")[1] not in parameters, wiring


def resolved(**overrides):
    template = load(STACK)
    parameters = {**sample.PARAMETERS[STACK], **overrides}
    names = dict(sample.PSEUDO)
    first = Resolved(template, parameters, names)
    for logical_id, resource in first.resources.items():
        names.update(sample.physical(logical_id, resource["Type"],
                                     resource.get("Properties", {})))
    return Resolved(template, parameters, names)


def test_the_bucket_policy_admits_the_distribution_of_the_same_stack():
    stack = resolved()
    statements = stack.properties("BucketPolicy")["PolicyDocument"]["Statement"]
    arns = {s["Sid"]: s["Condition"]["StringEquals"]["AWS:SourceArn"]
            for s in statements if s["Effect"] == "Allow"}
    arn = (f"arn:{sample.PARTITION}:cloudfront::{sample.ACCOUNT}:distribution/"
           f"{sample.DISTRIBUTION_ID}")
    assert arns == {"AllowDistributionReads": arn, "AllowDistributionUploads": arn}


def test_the_distribution_serves_the_bucket_and_trusts_the_key_group():
    config = load(STACK)["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert config["Origins"][0]["DomainName"] == {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["TrustedKeyGroups"] == [{"Ref": "KeyGroup"}]


def test_the_integration_role_reads_the_stacks_secret_and_uses_its_table():
    stack = resolved()
    policies = {p["PolicyName"]: p["PolicyDocument"] for p in stack.properties("Role")["Policies"]}
    read = policies["read-signing-key"]["Statement"][0]
    assert read["Resource"] == sample.resolve("integration-role").properties("Role")[
        "Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"]
    table = policies["use-metadata-table"]["Statement"][0]["Resource"]
    assert table == [f"arn:{sample.PARTITION}:dynamodb:{sample.REGION}:{sample.ACCOUNT}:table/"
                     f"cfsign-{sample.TEAM}-metadata",
                     f"arn:{sample.PARTITION}:dynamodb:{sample.REGION}:{sample.ACCOUNT}:table/"
                     f"cfsign-{sample.TEAM}-metadata/index/*"]


def test_without_the_table_switch_there_is_no_table_and_no_table_permission():
    stack = resolved(MetadataTable="false")
    assert "Table" not in stack.resources
    assert {"TableName", "TableArn"}.isdisjoint(stack.outputs)
    names = [p["PolicyName"] for p in stack.properties("Role")["Policies"]]
    assert names == ["read-signing-key"]


def test_a_console_launch_needs_only_the_team_domain_and_certificate():
    required = {name for name, spec in load(STACK)["Parameters"].items() if "Default" not in spec}
    assert required == {"TeamName", "DomainName", "CertificateArn"}
    stack = Resolved(load(STACK), {"TeamName": sample.TEAM, "DomainName": sample.DOMAIN,
                                   "CertificateArn": sample.PARAMETERS[STACK]["CertificateArn"]},
                     sample.PSEUDO)
    assert {"KeySlotA", "KeySlotAKey", "KeySlotABinding", "KeyGenerator"} <= set(stack.resources)
    assert "KeySlotB" not in stack.resources and "Table" not in stack.resources
    trust = stack.properties("Role")["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "ecs-tasks.amazonaws.com"}]
    # An empty AutomationRoleArn is the role named cfsign-automation, the only one that rotates.
    rotates = stack.properties("SigningKeySecretPolicy")["ResourcePolicy"]["Statement"][2]
    assert rotates["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == sample.AUTOMATION_ROLE_ARN
    admitted = stack.properties("SigningKeySecretPolicy")["ResourcePolicy"]["Statement"][2]
    assert admitted["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == sample.AUTOMATION_ROLE_ARN


def test_the_key_generator_waits_for_the_secret_it_writes_to():
    resources = load(STACK)["Resources"]
    for logical_id in ("KeySlotAKey", "KeySlotABinding", "KeyGenerator"):
        assert {"SigningKeySecret", "SigningKeySecretPolicy"} <= set(
            resources[logical_id]["DependsOn"]), logical_id


def test_the_team_owns_its_response_headers_policies_and_lets_them_go():
    stack = resolved()
    for logical_id, kind in (("DownloadsHeadersPolicy", "downloads"),
                             ("UploadsHeadersPolicy", "uploads")):
        resource = stack.resources[logical_id]
        assert resource["DeletionPolicy"] == "Delete"
        name = resource["Properties"]["ResponseHeadersPolicyConfig"]["Name"]
        assert name == f"cfsign-{kind}-team-{sample.TEAM}"


def composer(**composition):
    contract = json.loads((PRODUCTS / "contract.json").read_text())
    base = json.loads((PRODUCTS / STACK / "composition.json").read_text())
    return compose.Composer(contract, {**base, **composition})


def test_a_parameter_two_modules_mean_differently_is_refused():
    # Without composition.json fixing it, the table's KmsKeyArn would be the secret's.
    base = json.loads((PRODUCTS / STACK / "composition.json").read_text())
    parameters = dict(base["parameters"])
    parameters["metadata-table.KmsKeyArn"] = {"Description": "the table's own key"}
    composed = composer(parameters=parameters).compose()
    assert composed["Parameters"]["KmsKeyArn"]["Description"] != "the table's own key"
    parameters["metadata-table.KmsKeyArn"] = {"Default": "arn:aws:kms:us-east-1:1:key/x"}
    with pytest.raises(compose.CompositionError, match="KmsKeyArn means different things"):
        composer(parameters=parameters).compose()
