"""The CloudFormation resource types and template fixes the extension adds (cfn_resources.py),
through boto3 against a real emulator server."""
import json

import pytest

from emulator_testing import (ACCOUNT, PRODUCTS, client, deploy, distribution_stack,
                              product_stack, public_key_pem, team_stack)


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
    body = (PRODUCTS / "private-key-secret/template.yaml").read_text()
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
    readers = policy["Statement"][0]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert readers[0] == "arn:aws:iam::123456789012:role/cfsign-extteam-integration"


def key_pair_stack(endpoint, name, parameters):
    return product_stack(endpoint, name, "key-pair", parameters)


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


def test_the_distribution_product_creates_behaviors_that_trust_the_key_group(endpoint):
    outputs = team_stack(endpoint, "cdnteam", public_key_pem())
    cloudfront = client(endpoint, "cloudfront")
    distribution = cloudfront.get_distribution(Id=outputs["DistributionId"])["Distribution"]
    assert outputs["DistributionArn"] == distribution["ARN"]
    assert outputs["DistributionDomainName"] == distribution["DomainName"]
    config = distribution["DistributionConfig"]
    assert config["Aliases"]["Items"] == ["files.cdnteam.example.com"]
    uploads = config["CacheBehaviors"]["Items"][0]
    assert uploads["PathPattern"] == "/uploads/*"
    assert "PUT" in uploads["AllowedMethods"]["Items"]
    assert "PUT" not in config["DefaultCacheBehavior"]["AllowedMethods"]["Items"]
    for behavior in (uploads, config["DefaultCacheBehavior"]):
        assert behavior["TrustedKeyGroups"]["Items"] == [outputs["KeyGroupId"]]
    origin = config["Origins"]["Items"][0]
    control = cloudfront.get_origin_access_control(Id=origin["OriginAccessControlId"])
    assert control["OriginAccessControl"]["OriginAccessControlConfig"]["Name"] == \
        "cfsign-cdnteam"


def test_the_bucket_policy_admits_only_the_distribution_once_wired(endpoint):
    outputs = team_stack(endpoint, "wireteam", public_key_pem())
    policy = json.loads(client(endpoint, "s3").get_bucket_policy(
        Bucket=outputs["BucketName"])["Policy"])
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert {s["Action"] for s in allows} == {"s3:GetObject", "s3:PutObject"}
    for statement in allows:
        assert statement["Condition"]["StringEquals"]["AWS:SourceArn"] == \
            outputs["DistributionArn"]


def test_a_distribution_update_keeps_its_id_and_a_delete_removes_it(endpoint):
    outputs = team_stack(endpoint, "updteam", public_key_pem())
    again = distribution_stack(endpoint, "updteam-cdn", {
        "TeamName": "updteam", "DomainName": "new.updteam.example.com",
        "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-1111",
        "BucketRegionalDomainName": outputs["BucketRegionalDomainName"],
        "KeyGroupId": outputs["KeyGroupId"]})
    assert again["DistributionId"] == outputs["DistributionId"]
    cloudfront = client(endpoint, "cloudfront")
    config = cloudfront.get_distribution(Id=outputs["DistributionId"])["Distribution"][
        "DistributionConfig"]
    assert config["Aliases"]["Items"] == ["new.updteam.example.com"]
    client(endpoint, "cloudformation").delete_stack(StackName="updteam-cdn")
    with pytest.raises(cloudfront.exceptions.NoSuchDistribution):
        cloudfront.get_distribution(Id=outputs["DistributionId"])


def test_role_inline_policies_read_back_as_json(endpoint):
    outputs = product_stack(endpoint, "roleteam-role", "integration-role", {
        "TeamName": "roleteam", "TrustedService": "lambda",
        "SecretArn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:cfsign/roleteam/k-abc",
        "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/cfsign-roleteam-metadata"})
    iam = client(endpoint, "iam")
    assert outputs["RoleName"] == "cfsign-roleteam-integration"
    assert sorted(iam.list_role_policies(RoleName=outputs["RoleName"])["PolicyNames"]) == [
        "read-signing-key", "use-metadata-table"]
    document = iam.get_role_policy(RoleName=outputs["RoleName"],
                                   PolicyName="read-signing-key")["PolicyDocument"]
    if isinstance(document, str):  # boto3 decodes the JSON when it parses
        document = json.loads(document)
    assert document["Statement"][0]["Resource"].endswith(":secret:cfsign/roleteam/k-abc")


def test_a_role_update_applies_its_policies_and_trust(endpoint):
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:cfsign/rolupd/k-abc"
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/cfsign-rolupd-metadata"
    first = {"TeamName": "rolupd", "TrustedService": "lambda", "SecretArn": secret,
             "TableArn": table}
    outputs = product_stack(endpoint, "rolupd-role", "integration-role", first)
    product_stack(endpoint, "rolupd-role", "integration-role",
                  {**first, "TableArn": "", "TrustedService": "ecs-tasks", "SigningKeyArns": key})
    iam = client(endpoint, "iam")
    name = outputs["RoleName"]
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["read-signing-key"]
    document = iam.get_role_policy(RoleName=name, PolicyName="read-signing-key")["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    signing = [s for s in document["Statement"] if s["Action"] == "kms:Sign"]
    assert [s["Resource"] for s in signing] == [[key]]
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ecs-tasks.amazonaws.com"}]


def test_table_deletion_protection_is_a_boolean_turned_off_in_place(endpoint):
    outputs = product_stack(endpoint, "tblteam-table", "metadata-table", {"TeamName": "tblteam"})
    dynamodb = client(endpoint, "dynamodb")
    table = dynamodb.describe_table(TableName=outputs["TableName"])["Table"]
    assert table["DeletionProtectionEnabled"] is True
    dynamodb.put_item(TableName=outputs["TableName"], Item={"fileId": {"S": "kept"}})
    product_stack(endpoint, "tblteam-table", "metadata-table",
                  {"TeamName": "tblteam", "DeletionProtection": "false"})
    table = dynamodb.describe_table(TableName=outputs["TableName"])["Table"]
    assert table["DeletionProtectionEnabled"] is False
    assert dynamodb.get_item(TableName=outputs["TableName"],
                             Key={"fileId": {"S": "kept"}})["Item"]["fileId"]["S"] == "kept"


def test_a_resource_that_fails_rolls_the_stack_back_with_an_event_naming_it(endpoint):
    cfn = client(endpoint, "cloudformation")
    template = {"Resources": {
        "Fine": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "rollback-fine"}},
        "Broken": {"Type": "AWS::CloudFront::Distribution", "DependsOn": "Fine",
                   "Properties": {"DistributionConfig": {
                       "Enabled": True,
                       # not an S3 bucket: CloudFront refuses it
                       "Origins": [{"Id": "o", "DomainName": "example.com",
                                    "S3OriginConfig": {}}],
                       "DefaultCacheBehavior": {"TargetOriginId": "o",
                                                "ViewerProtocolPolicy": "https-only"}}}}},
        "Outputs": {"Domain": {"Value": {"Fn::GetAtt": ["Broken", "DomainName"]}}}}
    cfn.create_stack(StackName="ext-rollback", TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName="ext-rollback")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    events = cfn.describe_stack_events(StackName="ext-rollback")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Broken"]
    assert failed[0]["ResourceType"] == "AWS::CloudFront::Distribution"
    assert failed[0]["ResourceStatusReason"]
    topics = client(endpoint, "sns").list_topics()["Topics"]
    assert not any(t["TopicArn"].endswith(":rollback-fine") for t in topics)


def test_a_resource_that_fails_to_update_rolls_the_update_back(endpoint):
    cfn = client(endpoint, "cloudformation")
    template = {"Parameters": {"Origin": {"Type": "String"}},
                "Resources": {"Control": {"Type": "AWS::CloudFront::OriginAccessControl",
                              "Properties": {"OriginAccessControlConfig": {
                                  "Name": "upd-fail", "OriginAccessControlOriginType": "s3",
                                  "SigningBehavior": "always", "SigningProtocol": "sigv4"}}},
                              "Distribution": {"Type": "AWS::CloudFront::Distribution",
                                               "Properties": {"DistributionConfig": {
                                                   "Enabled": True,
                                                   "Origins": [{"Id": "o",
                                                                "DomainName": {"Ref": "Origin"},
                                                                "S3OriginConfig": {
                                                                    "OriginAccessIdentity": ""}}],
                                                   "DefaultCacheBehavior": {
                                                       "TargetOriginId": "o",
                                                       "ViewerProtocolPolicy": "https-only"}}}}}}
    params = [{"ParameterKey": "Origin", "ParameterValue": "b.s3.us-east-1.amazonaws.com"}]
    cfn.create_stack(StackName="ext-update-fail", TemplateBody=json.dumps(template),
                     Parameters=params)
    params[0]["ParameterValue"] = "example.com"  # not an S3 bucket: CloudFront refuses it
    cfn.update_stack(StackName="ext-update-fail", TemplateBody=json.dumps(template),
                     Parameters=params)
    stack = cfn.describe_stacks(StackName="ext-update-fail")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="ext-update-fail")["StackEvents"]
    assert [e["LogicalResourceId"] for e in events
            if e["ResourceStatus"] == "UPDATE_FAILED"] == ["Distribution"]


def test_validate_template_lists_parameters_with_defaults(endpoint):
    body = (PRODUCTS / "launch-role/template.yaml").read_text()
    parameters = client(endpoint, "cloudformation").validate_template(TemplateBody=body)[
        "Parameters"]
    by_name = {p["ParameterKey"]: p for p in parameters}
    assert by_name["RoleName"]["DefaultValue"] == "cfsign-servicecatalog-launch"
    assert "DefaultValue" not in by_name["ArtifactBucketName"]


def test_use_previous_value_keeps_a_parameter_that_took_its_default(endpoint):
    product_stack(endpoint, "prevteam-table", "metadata-table", {"TeamName": "prevteam"})
    cfn = client(endpoint, "cloudformation")
    body = (PRODUCTS / "metadata-table/template.yaml").read_text()
    cfn.update_stack(StackName="prevteam-table", TemplateBody=body, Parameters=[
        {"ParameterKey": "TeamName", "UsePreviousValue": True},
        {"ParameterKey": "PartitionKeyName", "UsePreviousValue": True},
        {"ParameterKey": "DeletionProtection", "ParameterValue": "false"}])
    stack = cfn.describe_stacks(StackName="prevteam-table")["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert parameters["PartitionKeyName"] == "fileId"
    assert parameters["DeletionProtection"] == "false"


def test_comma_delimited_lists_read_back_as_text(endpoint):
    template = {"Parameters": {"Origins": {"Type": "CommaDelimitedList", "Default": ""}},
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="ext-lists", TemplateBody=json.dumps(template), Parameters=[
        {"ParameterKey": "Origins", "ParameterValue": "https://a.example,https://b.example"}])
    stack = cfn.describe_stacks(StackName="ext-lists")["Stacks"][0]
    assert stack["Parameters"][0]["ParameterValue"] == "https://a.example,https://b.example"


def test_a_yaml_condition_reference_counts_as_its_condition(endpoint):
    body = """
Parameters:
  Mode: {Type: String, Default: "on"}
Conditions:
  IsOn: !Equals [!Ref Mode, "on"]
  IsOff: !Equals [!Ref Mode, "off"]
  Either: !Or [!Condition IsOn, !Condition IsOff]
  Neither: !Not [!Condition Either]
Resources:
  Made:
    Type: AWS::SNS::Topic
    Condition: Either
    Properties: {TopicName: ext-yaml-made}
  NotMade:
    Type: AWS::SNS::Topic
    Condition: Neither
    Properties: {TopicName: ext-yaml-not-made}
"""
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName="ext-yaml-conditions", TemplateBody=body)
    names = {t["TopicArn"].rsplit(":", 1)[1]
             for t in client(endpoint, "sns").list_topics()["Topics"]}
    assert "ext-yaml-made" in names and "ext-yaml-not-made" not in names
