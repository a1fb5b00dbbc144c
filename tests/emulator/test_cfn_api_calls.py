"""A resource whose properties its service's model refuses fails (cfn_api_calls.py): the
handler's API call is validated as a request would be, and the stack rolls back with the
service's message in the handler's wording."""
import json

from emulator_testing import client, unique


def created(endpoint, name, resources):
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": resources}))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    failed = [e for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
              if e["ResourceStatus"] == "CREATE_FAILED"]
    return stack["StackStatus"], failed


def table(name, mode):
    return {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": name, "BillingMode": mode,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}}


def test_a_property_outside_the_services_model_fails_the_resource(endpoint):
    name = unique("model")
    status, [event] = created(endpoint, name, table(name, "SOMETIMES"))
    assert status == "ROLLBACK_COMPLETE"
    assert event["LogicalResourceId"] == "Table"
    reason = event["ResourceStatusReason"]
    assert reason.startswith(
        "Resource handler returned message: \"1 validation error detected: Value 'SOMETIMES' "
        "at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
        "[PROVISIONED, PAY_PER_REQUEST] (Service: DynamoDb, Status Code: 400")
    assert reason.endswith("HandlerErrorCode: InvalidRequest)")
    assert name not in client(endpoint, "dynamodb").list_tables()["TableNames"]


def test_properties_the_model_accepts_create_the_resource(endpoint):
    name = unique("model")
    assert created(endpoint, name, table(name, "PAY_PER_REQUEST")) == ("CREATE_COMPLETE", [])


def test_an_invalid_bucket_name_is_a_failed_resource_not_a_bucket(endpoint):
    name = unique("badbucket")
    status, [event] = created(endpoint, name, {"Bucket": {
        "Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Not_A_Bucket"}}})
    assert status == "ROLLBACK_COMPLETE"
    assert "Not_A_Bucket" not in {b["Name"] for b in client(endpoint, "s3").list_buckets()["Buckets"]}
    assert "HandlerErrorCode: InvalidRequest" in event["ResourceStatusReason"]
