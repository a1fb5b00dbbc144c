"""How stack operations end when a resource fails (cfn_stacks.py), and AWS::S3::Bucket applying
its versioning (cfn_s3.py): a versioned bucket holding versions fails the stack's delete
(DELETE_FAILED, bucket kept), a failed create can only be deleted, a failed update rolls back
to the previous properties."""
import json

from emulator_testing import client, refused, unique


def bucket_template(name):
    return json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": name, "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}}}}})


def stack_events(cfn, name, status):
    return [e for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
            if e["ResourceStatus"] == status]


def test_a_template_bucket_gets_its_versioning_and_public_access_block(endpoint):
    cfn, s3, name = client(endpoint, "cloudformation"), client(endpoint, "s3"), unique("ver")
    cfn.create_stack(StackName=name, TemplateBody=bucket_template(name))
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicPolicy"] is True


def test_deleting_a_stack_whose_bucket_holds_versions_fails_and_keeps_the_bucket(endpoint):
    cfn, s3, name = client(endpoint, "cloudformation"), client(endpoint, "s3"), unique("ver")
    cfn.create_stack(StackName=name, TemplateBody=bucket_template(name))
    version = s3.put_object(Bucket=name, Key="a.txt", Body=b"a")["VersionId"]
    marker = s3.delete_object(Bucket=name, Key="a.txt")["VersionId"]

    cfn.delete_stack(StackName=name)
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "DELETE_FAILED"
    [event] = [e for e in stack_events(cfn, name, "DELETE_FAILED")
               if e["LogicalResourceId"] == "Bucket"]
    assert event["ResourceStatusReason"].startswith(
        'Resource handler returned message: "The bucket you tried to delete is not empty. You '
        'must delete all versions in the bucket. (Service: S3, Status Code: 409')
    assert name in {b["Name"] for b in s3.list_buckets()["Buckets"]}

    s3.delete_objects(Bucket=name, Delete={"Objects": [
        {"Key": "a.txt", "VersionId": version}, {"Key": "a.txt", "VersionId": marker}]})
    cfn.delete_stack(StackName=name)
    assert name not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_a_stack_whose_create_rolled_back_can_only_be_deleted(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("rolled")
    cfn.create_stack(StackName=name, TemplateBody=bucket_template("Not_A_Bucket_Name"))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    error = refused(cfn.update_stack, StackName=name, TemplateBody=bucket_template(name))
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == (f"Stack:{stack['StackId']} is in ROLLBACK_COMPLETE "
                                         "state and can not be updated.")
    cfn.delete_stack(StackName=name)
    assert name not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}


def table(name, **properties):
    return {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": name, "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], **properties}}


def test_a_failed_update_rolls_back_to_the_previous_properties(endpoint):
    cfn, dynamodb, name = client(endpoint, "cloudformation"), client(endpoint, "dynamodb"), \
        unique("upd")
    template = {"Parameters": {"Mode": {"Type": "String"}, "Protect": {"Type": "String"}},
                "Resources": {
                    "First": table(f"{name}-a", BillingMode="PAY_PER_REQUEST",
                                   DeletionProtectionEnabled={"Ref": "Protect"}),
                    "Second": {**table(f"{name}-b", BillingMode={"Ref": "Mode"}),
                               "DependsOn": "First"}}}

    def parameters(mode, protect):
        return [{"ParameterKey": "Mode", "ParameterValue": mode},
                {"ParameterKey": "Protect", "ParameterValue": protect}]

    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=parameters("PAY_PER_REQUEST", "false"))
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=parameters("SOMETIMES", "true"))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Mode": "PAY_PER_REQUEST", "Protect": "false"}
    assert [e["LogicalResourceId"] for e in stack_events(cfn, name, "UPDATE_FAILED")] == [
        "Second"]
    first = dynamodb.describe_table(TableName=f"{name}-a")["Table"]
    assert first["DeletionProtectionEnabled"] is False


def test_a_stack_with_a_role_and_its_managed_policies_deletes_both(endpoint):
    cfn, iam, name = client(endpoint, "cloudformation"), client(endpoint, "iam"), unique("mp")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "ec2.amazonaws.com"}}]}
    document = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sns:ListTopics", "Resource": "*"}]}
    cfn.create_stack(StackName=name, Capabilities=["CAPABILITY_NAMED_IAM"],
                     TemplateBody=json.dumps({"Resources": {
                         "Role": {"Type": "AWS::IAM::Role", "Properties": {
                             "RoleName": name, "AssumeRolePolicyDocument": trust}},
                         "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                             "Roles": [{"Ref": "Role"}], "PolicyDocument": document}}}}))
    [attached] = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    cfn.delete_stack(StackName=name)
    assert name not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}
    assert name not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert attached["PolicyArn"] not in {p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]}


def test_a_template_bucket_whose_lifecycle_s3_refuses_fails_and_leaves_no_bucket(endpoint):
    cfn, s3, name = client(endpoint, "cloudformation"), client(endpoint, "s3"), unique("life")
    template = json.loads(bucket_template(name))
    template["Resources"]["Bucket"]["Properties"]["LifecycleConfiguration"] = {"Rules": [{
        "Id": "move", "Status": "Enabled",
        "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 10}]}]}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    [event] = [e for e in stack_events(cfn, name, "CREATE_FAILED")
               if e["LogicalResourceId"] == "Bucket"]
    assert "'Days' in Transition action must be greater than or equal to 30" \
        in event["ResourceStatusReason"]
    assert name not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_a_named_table_whose_key_changes_cannot_be_replaced_and_the_update_rolls_back(endpoint):
    cfn, dynamodb, name = client(endpoint, "cloudformation"), client(endpoint, "dynamodb"), \
        unique("key")
    before = {"Resources": {"Table": table(name, BillingMode="PAY_PER_REQUEST")}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(before))
    after = {"Resources": {"Table": table(name, BillingMode="PAY_PER_REQUEST",
                                          AttributeDefinitions=[{"AttributeName": "key",
                                                                 "AttributeType": "S"}],
                                          KeySchema=[{"AttributeName": "key",
                                                      "KeyType": "HASH"}])}}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(after))
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == \
        "UPDATE_ROLLBACK_COMPLETE"
    [event] = stack_events(cfn, name, "UPDATE_FAILED")
    assert event["ResourceStatusReason"] == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        f"Rename {name} and update the stack again.")
    key = dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]
    assert key == [{"AttributeName": "id", "KeyType": "HASH"}]
