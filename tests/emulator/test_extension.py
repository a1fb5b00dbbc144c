"""The emulator's additions to moto, tested through boto3 against a real server, the way the
Rust SDK reaches it."""
import json
import sys
from pathlib import Path

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import extension  # noqa: E402,F401  (registers the resource types)
from moto.server import ThreadedMotoServer  # noqa: E402

REGION = "us-east-1"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def deploy(endpoint, name, template):
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_secret_and_resource_policy_are_created_and_deleted(endpoint):
    template = {
        "Resources": {
            "Secret": {"Type": "AWS::SecretsManager::Secret",
                       "Properties": {"Name": "ext/secret", "SecretString": "{\"a\":\"\"}",
                                      "Tags": [{"Key": "team", "Value": "x"}]}},
            "Policy": {"Type": "AWS::SecretsManager::ResourcePolicy",
                       "Properties": {"SecretId": {"Ref": "Secret"}, "BlockPublicPolicy": True,
                                      "ResourcePolicy": {"Version": "2012-10-17", "Statement": [
                                          {"Effect": "Deny", "Principal": "*",
                                           "Action": "secretsmanager:GetSecretValue",
                                           "Resource": "*"}]}}},
        },
        "Outputs": {"SecretArn": {"Value": {"Ref": "Secret"}}},
    }
    outputs = deploy(endpoint, "ext-secret", template)
    sm = client(endpoint, "secretsmanager")
    assert outputs["SecretArn"].startswith("arn:aws:secretsmanager:us-east-1:")
    described = sm.describe_secret(SecretId=outputs["SecretArn"])
    assert described["Name"] == "ext/secret"
    assert {"Key": "team", "Value": "x"} in described["Tags"]
    assert sm.get_secret_value(SecretId="ext/secret")["SecretString"] == "{\"a\":\"\"}"
    policy = json.loads(sm.get_resource_policy(SecretId="ext/secret")["ResourcePolicy"])
    assert policy["Statement"][0]["Effect"] == "Deny"

    client(endpoint, "cloudformation").delete_stack(StackName="ext-secret")
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId="ext/secret")


def test_unchanged_secret_string_keeps_the_value_written_later(endpoint):
    template = {"Resources": {"Secret": {"Type": "AWS::SecretsManager::Secret",
                                         "Properties": {"Name": "ext/kept", "SecretString": "{}",
                                                        "Description": "one"}}}}
    deploy(endpoint, "ext-kept", template)
    sm = client(endpoint, "secretsmanager")
    sm.put_secret_value(SecretId="ext/kept", SecretString="written by cfsign")
    template["Resources"]["Secret"]["Properties"]["Description"] = "two"
    cfn = client(endpoint, "cloudformation")
    cfn.update_stack(StackName="ext-kept", TemplateBody=json.dumps(template))
    assert sm.get_secret_value(SecretId="ext/kept")["SecretString"] == "written by cfsign"


def test_bucket_policy_is_applied_and_removed(endpoint):
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": "arn:aws:s3:::ext-bucket/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    template = {"Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "ext-bucket"}},
        "Policy": {"Type": "AWS::S3::BucketPolicy",
                   "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": document}},
    }}
    deploy(endpoint, "ext-bucket", template)
    s3 = client(endpoint, "s3")
    assert json.loads(s3.get_bucket_policy(Bucket="ext-bucket")["Policy"]) == document

    client(endpoint, "cloudformation").delete_stack(StackName="ext-bucket")
    assert "ext-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_the_products_secret_template_creates_its_secret(endpoint):
    body = (Path(__file__).parents[2] / "products/private-key-secret/template.yaml").read_text()
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="ext-product", TemplateBody=body, Parameters=[
        {"ParameterKey": "TeamName", "ParameterValue": "extteam"},
        {"ParameterKey": "AutomationRoleArn",
         "ParameterValue": "arn:aws:iam::123456789012:role/automation"}])
    stack = cfn.describe_stacks(StackName="ext-product")["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["SecretName"] == "cfsign/extteam/signing-key"
    sm = client(endpoint, "secretsmanager")
    assert sm.describe_secret(SecretId=outputs["SecretArn"])["Name"] == "cfsign/extteam/signing-key"
    policy = json.loads(sm.get_resource_policy(SecretId=outputs["SecretArn"])["ResourcePolicy"])
    readers = policy["Statement"][0]["Condition"]["StringNotEquals"]["aws:PrincipalArn"]
    assert readers[0] == "arn:aws:iam::123456789012:role/cfsign-extteam-integration"


def key_pair_stack(endpoint, name, parameters):
    body = (Path(__file__).parents[2] / "products/key-pair/template.yaml").read_text()
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    cfn = client(endpoint, "cloudformation")
    try:
        cfn.describe_stacks(StackName=name)
        cfn.update_stack(StackName=name, TemplateBody=body, Parameters=params)
    except cfn.exceptions.ClientError:
        cfn.create_stack(StackName=name, TemplateBody=body, Parameters=params)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), stack
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def public_key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_key_pair_product_rotates_through_its_slots(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    first, second = public_key_pem(), public_key_pem()

    staged = key_pair_stack(endpoint, "ext-keys", {"TeamName": "ext", "KeySlotAPublicKey": first})
    group_id = staged["KeyGroupId"]
    key_a = staged["KeySlotAPublicKeyId"]
    assert "KeySlotBPublicKeyId" not in staged
    group = cloudfront.get_key_group(Id=group_id)["KeyGroup"]["KeyGroupConfig"]
    assert group["Items"] == [key_a]
    assert cloudfront.get_public_key(Id=key_a)["PublicKey"]["PublicKeyConfig"]["EncodedKey"].strip() == first.strip()

    # Stage: slot B joins the group, which keeps its id.
    both = key_pair_stack(endpoint, "ext-keys", {"TeamName": "ext", "KeySlotAPublicKey": first,
                                                 "KeySlotBPublicKey": second})
    key_b = both["KeySlotBPublicKeyId"]
    assert both["KeyGroupId"] == group_id and both["KeySlotAPublicKeyId"] == key_a
    assert cloudfront.get_key_group(Id=group_id)["KeyGroup"]["KeyGroupConfig"]["Items"] == [key_a, key_b]

    # Retire: slot A empties; its public key is deleted.
    retired = key_pair_stack(endpoint, "ext-keys", {"TeamName": "ext", "KeySlotBPublicKey": second})
    assert "KeySlotAPublicKeyId" not in retired
    assert cloudfront.get_key_group(Id=group_id)["KeyGroup"]["KeyGroupConfig"]["Items"] == [key_b]
    ids = [k["Id"] for k in cloudfront.list_public_keys()["PublicKeyList"].get("Items", [])]
    assert key_a not in ids and key_b in ids


def test_no_value_in_a_list_removes_the_element(endpoint):
    template = {
        "Conditions": {"No": {"Fn::Equals": ["a", "b"]}},
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "ext-novalue"}},
            "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
                "Bucket": {"Ref": "Bucket"},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "Kept", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": "arn:aws:s3:::ext-novalue/*"},
                    {"Fn::If": ["No", {"Sid": "Dropped"}, {"Ref": "AWS::NoValue"}]},
                ]}}},
        },
    }
    deploy(endpoint, "ext-novalue", template)
    policy = json.loads(client(endpoint, "s3").get_bucket_policy(Bucket="ext-novalue")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["Kept"]
