"""Lambda-backed custom resources (cfn_custom.py): CloudFormation's requests to the function,
the function's inline Node.js code run with its role's credentials, its response deciding the
resource, and the failures CloudFormation reports."""
import json

from emulator_testing import ACCOUNT, REGION, allow, as_role, client, document, failure, unique

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
CFN_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}

# Answers every request with what the resource's properties ask for, and records each request
# in a secret the test reads, written as the function's role.
RECORDER = """
const { SecretsManagerClient, PutSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
exports.handler = async (event, context) => {
  const props = event.ResourceProperties;
  const secrets = new SecretsManagerClient({});
  await secrets.send(new PutSecretValueCommand({
    SecretId: props.Journal,
    SecretString: JSON.stringify({ type: event.RequestType, physical: event.PhysicalResourceId || "",
      old: event.OldResourceProperties || null, props, remaining: context.getRemainingTimeInMillis() }),
  }));
  if (props.Answer === "none") return;
  if (props.Answer === "hang") { await new Promise(() => setInterval(() => {}, 1000)); }
  const data = props.Answer === "big" ? { Greeting: "x".repeat(4096) }
    : { Greeting: `hello ${props.Generation}` };
  const body = props.Answer === "fail"
    ? { Status: "FAILED", Reason: "the generator refused", PhysicalResourceId: context.logStreamName }
    : { Status: "SUCCESS", PhysicalResourceId: `thing-${props.Generation}`, Data: data };
  const answer = { ...body, StackId: event.StackId, RequestId: event.RequestId,
                   LogicalResourceId: event.LogicalResourceId };
  await fetch(event.ResponseURL, { method: "PUT", body: JSON.stringify(answer) });
};
"""


def function_role(endpoint, journal_arn):
    iam = client(endpoint, "iam")
    name = unique("fn")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))[
        "Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="journal", PolicyDocument=document(
        allow("secretsmanager:PutSecretValue", journal_arn)))
    return arn


def template(role_arn, journal_arn, answer="ok", generation="1", service_timeout=3):
    custom = {"ServiceToken": {"Fn::GetAtt": ["Function", "Arn"]}, "Journal": journal_arn,
              "Answer": answer, "Generation": generation, "Count": 3, "Flag": True}
    if service_timeout is not None:
        custom["ServiceTimeout"] = service_timeout
    return json.dumps({
        "Resources": {
            "Function": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "nodejs22.x", "Handler": "index.handler", "Timeout": 2,
                "Role": role_arn, "Code": {"ZipFile": RECORDER}}},
            "Thing": {"Type": "Custom::Thing", "Properties": custom},
        },
        "Outputs": {"Greeting": {"Value": {"Fn::GetAtt": ["Thing", "Greeting"]}},
                    "Id": {"Value": {"Ref": "Thing"}}},
    })


def journal(endpoint, arn):
    return json.loads(client(endpoint, "secretsmanager").get_secret_value(
        SecretId=arn)["SecretString"])


def setup(endpoint):
    journal_arn = client(endpoint, "secretsmanager").create_secret(
        Name=unique("journal"), SecretString="{}")["ARN"]
    return journal_arn, function_role(endpoint, journal_arn)


def outputs(cfn, name):
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack["StackStatus"], {o["OutputKey"]: o["OutputValue"]
                                  for o in stack.get("Outputs", [])}


def test_create_update_and_delete_reach_the_function_as_its_role(endpoint):
    cfn = client(endpoint, "cloudformation")
    journal_arn, role = setup(endpoint)
    name = unique("custom")
    cfn.create_stack(StackName=name, TemplateBody=template(role, journal_arn))
    status, out = outputs(cfn, name)
    assert status == "CREATE_COMPLETE", failure(cfn, name)
    assert out == {"Greeting": "hello 1", "Id": "thing-1"}
    created = journal(endpoint, journal_arn)
    assert created["type"] == "Create" and created["physical"] == ""
    # Scalars reach the function as strings; the ServiceToken is among the properties.
    assert created["props"]["Count"] == "3" and created["props"]["Flag"] == "true"
    assert created["props"]["ServiceToken"].startswith(f"arn:aws:lambda:{REGION}:{ACCOUNT}:")
    assert 0 < created["remaining"] <= 2000

    # A changed property is an Update with the old properties; a new physical id replaces
    # the resource, so the old one gets a Delete.
    cfn.update_stack(StackName=name, TemplateBody=template(role, journal_arn, generation="2"))
    status, out = outputs(cfn, name)
    assert status == "UPDATE_COMPLETE", failure(cfn, name)
    assert out == {"Greeting": "hello 2", "Id": "thing-2"}
    updated = json.loads(client(endpoint, "secretsmanager").get_secret_value(
        SecretId=journal_arn, VersionStage="AWSPREVIOUS")["SecretString"])
    assert updated["type"] == "Update" and updated["physical"] == "thing-1"
    assert updated["old"]["Generation"] == "1" and updated["props"]["Generation"] == "2"
    last = journal(endpoint, journal_arn)
    assert last["type"] == "Delete" and last["physical"] == "thing-1"

    cfn.delete_stack(StackName=name)
    assert not [s for s in cfn.list_stacks()["StackSummaries"]
                if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"], \
        failure(cfn, name)
    last = journal(endpoint, journal_arn)
    assert last["type"] == "Delete" and last["physical"] == "thing-2"


def test_a_failed_response_fails_the_resource_and_rolls_the_stack_back(endpoint):
    cfn = client(endpoint, "cloudformation")
    journal_arn, role = setup(endpoint)
    name = unique("custom")
    cfn.create_stack(StackName=name, TemplateBody=template(role, journal_arn, answer="fail"))
    status, _ = outputs(cfn, name)
    assert status == "ROLLBACK_COMPLETE"
    reason = failure(cfn, name)
    assert "Received response status [FAILED] from custom resource. Message returned: " \
           "the generator refused (RequestId: " in reason


def test_a_response_over_4096_bytes_fails_the_resource(endpoint):
    cfn = client(endpoint, "cloudformation")
    journal_arn, role = setup(endpoint)
    name = unique("custom")
    cfn.create_stack(StackName=name, TemplateBody=template(role, journal_arn, answer="big"))
    assert outputs(cfn, name)[0] == "ROLLBACK_COMPLETE"
    assert "Response object is too long." in failure(cfn, name)


def test_no_response_fails_the_resource_after_its_service_timeout(endpoint):
    cfn = client(endpoint, "cloudformation")
    journal_arn, role = setup(endpoint)
    for answer in ("none", "hang"):  # returns without answering; runs past its Timeout
        name = unique("custom")
        cfn.create_stack(StackName=name, TemplateBody=template(
            role, journal_arn, answer=answer, service_timeout=3))
        status, _ = outputs(cfn, name)
        assert status == "ROLLBACK_COMPLETE"
        assert "CloudFormation did not receive a response from your Custom Resource." \
               in failure(cfn, name)
        assert journal(endpoint, journal_arn)["type"] == "Create"  # it ran, as its role


def test_the_function_calls_aws_as_its_role_and_iam_decides(endpoint):
    cfn = client(endpoint, "cloudformation")
    journal_arn, _ = setup(endpoint)
    other_arn, role = setup(endpoint)  # a role that may write only the other secret
    name = unique("custom")
    cfn.create_stack(StackName=name, TemplateBody=template(role, journal_arn))
    status, _ = outputs(cfn, name)
    assert status == "ROLLBACK_COMPLETE"
    assert journal(endpoint, journal_arn) == {}
    # The function failed on AccessDenied without answering: CloudFormation waits it out.
    assert "did not receive a response" in failure(cfn, name)


def test_the_stack_principal_needs_lambda_invoke_on_the_function(endpoint):
    iam = client(endpoint, "iam")
    journal_arn, role = setup(endpoint)
    service_role = unique("cfn")
    service_arn = iam.create_role(RoleName=service_role, AssumeRolePolicyDocument=json.dumps(
        CFN_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=service_role, PolicyName="stack", PolicyDocument=document(
        allow(["lambda:CreateFunction", "lambda:GetFunction", "lambda:DeleteFunction",
               "lambda:TagResource", "lambda:PutFunctionConcurrency",
               "lambda:GetCodeSigningConfig", "lambda:GetFunctionCodeSigningConfig",
               "lambda:GetRuntimeManagementConfig", "lambda:PutRuntimeManagementConfig",
               "lambda:PutFunctionRecursionConfig", "lambda:GetFunctionRecursionConfig",
               "lambda:PutFunctionScalingConfig", "lambda:GetLayerVersion",
               "lambda:PassCapacityProvider", "lambda:AssociateRuntimeAlias",
               "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
               "elasticfilesystem:DescribeMountTargets", "s3files:ListMountTargets",
               "ec2:DescribeNetworkInterfaces"]),
        allow("iam:PassRole", role)))
    cfn = client(endpoint, "cloudformation")
    name = unique("custom")
    cfn.create_stack(StackName=name, TemplateBody=template(role, journal_arn),
                     RoleARN=service_arn)
    status, _ = outputs(cfn, name)
    assert status == "ROLLBACK_COMPLETE", failure(cfn, name)
    reason = failure(cfn, name)
    assert f"assumed-role/{service_role}/AWSCloudFormation is not authorized to perform: " \
           f"lambda:InvokeFunction on resource: arn:aws:lambda:{REGION}:{ACCOUNT}:function:" \
           in reason, reason
    assert journal(endpoint, journal_arn) == {}  # never invoked

    iam.put_role_policy(RoleName=service_role, PolicyName="invoke", PolicyDocument=document(
        allow("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}-*")))
    cfn.delete_stack(StackName=name)
    again = unique("custom")
    iam.put_role_policy(RoleName=service_role, PolicyName="invoke", PolicyDocument=document(
        allow("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{again}-*")))
    cfn.create_stack(StackName=again, TemplateBody=template(role, journal_arn),
                     RoleARN=service_arn)
    assert outputs(cfn, again)[0] == "CREATE_COMPLETE", failure(cfn, again)
