"""Resource handlers authorized as the stack operation's principal (cfn_handlers.py): the
stack's service role, else the caller; each handler's permissions from the type's provider
schema (cfn-lint); a refusal fails the resource with the handler's AccessDenied message and the
stack rolls back, a refused delete leaves the stack DELETE_FAILED with the resource kept."""
import json

from emulator_testing import ACCOUNT, REGION, allow, as_role, client, make_role, refused, unique

import cfn_handlers
from cfn_handlers import Handled

CFN_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def topic_template(name):
    return json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic",
                                               "Properties": {"TopicName": name}}}})


def topic_arn(name):
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"


def schema_actions(resource_type, handler):
    return set(cfn_handlers.permissions(resource_type, handler))


def sns_actions(handler):
    return {a for a in schema_actions("AWS::SNS::Topic", handler) if a.startswith("sns:")}


def stack_of(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def failed_events(cfn, name, status):
    return [e for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
            if e["ResourceStatus"] == status and e["LogicalResourceId"] != name]


def topics(endpoint):
    return {t["TopicArn"] for t in client(endpoint, "sns").list_topics()["Topics"]}


def test_each_handler_needs_the_permissions_its_schema_lists():
    topic = Handled("AWS::SNS::Topic", "Topic", "t1", {"TopicName": "t1"}, None, REGION,
                    ACCOUNT)
    for handler in ("create", "delete"):
        made = {action for action, _, _ in cfn_handlers.calls(topic, handler)}
        listed = schema_actions("AWS::SNS::Topic", handler)
        # on the topic; iam:GetRole / iam:PassRole only for a role the properties name
        assert made == {a for a in listed if a.startswith("sns:")}
        assert {arn for _, arn, _ in cfn_handlers.calls(topic, handler)} == {topic_arn("t1")}


def test_a_managed_policy_attached_to_a_role_is_its_own_call_with_the_policy_arn():
    policy = f"arn:aws:iam::{ACCOUNT}:policy/cfsign-team"
    role = Handled("AWS::IAM::Role", "Role", "cfsign-t-integration",
                   {"RoleName": "cfsign-t-integration", "ManagedPolicyArns": [policy],
                    "AssumeRolePolicyDocument": {}}, None, REGION, ACCOUNT)
    attach = [(arn, keys) for action, arn, keys in cfn_handlers.calls(role, "create")
              if action == "iam:AttachRolePolicy"]
    assert attach == [(f"arn:aws:iam::{ACCOUNT}:role/cfsign-t-integration",
                       {"iam:policyarn": policy})]


def test_a_managed_policy_naming_roles_attaches_itself_with_its_own_arn():
    # The document names other resources: what it grants, not what the handler calls.
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                               "Resource": f"arn:aws:s3:::cfsign-*-{ACCOUNT}-{REGION}/*"}]}
    policy = Handled("AWS::IAM::ManagedPolicy", "Policy", "cfsign-launch-role-Policy-ABC",
                     {"Roles": ["cfsign-servicecatalog-launch"], "PolicyDocument": document},
                     None, REGION, ACCOUNT)
    attach = [(arn, keys) for action, arn, keys in cfn_handlers.calls(policy, "create")
              if action == "iam:AttachRolePolicy"]
    assert attach == [(f"arn:aws:iam::{ACCOUNT}:role/cfsign-servicecatalog-launch",
                       {"iam:policyarn":
                        f"arn:aws:iam::{ACCOUNT}:policy/cfsign-launch-role-Policy-ABC"})]


def test_handlers_run_as_the_stacks_service_role(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("handler-topic")
    needed = sorted(sns_actions("create") - {"sns:TagResource"})
    role = make_role(endpoint, allow(needed, topic_arn(name)), trust=CFN_TRUST)
    cfn.create_stack(StackName=name, TemplateBody=topic_template(name), RoleARN=role)
    assert stack_of(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    [event] = failed_events(cfn, name, "CREATE_FAILED")
    role_name = role.rsplit("/", 1)[-1]
    assert event["LogicalResourceId"] == "Topic"
    assert event["ResourceStatusReason"].startswith(
        f'Resource handler returned message: "User: arn:aws:sts::{ACCOUNT}:assumed-role/'
        f"{role_name}/AWSCloudFormation is not authorized to perform: sns:TagResource on "
        f"resource: {topic_arn(name)} because no identity-based policy allows the "
        "sns:TagResource action (Service: Sns, Status Code: 403")
    assert "HandlerErrorCode: AccessDenied)" in event["ResourceStatusReason"]
    assert topic_arn(name) not in topics(endpoint)

    client(endpoint, "iam").put_role_policy(
        RoleName=role_name, PolicyName="tag", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [allow("sns:TagResource", topic_arn(name))]}))
    cfn.delete_stack(StackName=name)
    cfn.create_stack(StackName=name, TemplateBody=topic_template(name), RoleARN=role)
    assert stack_of(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    assert topic_arn(name) in topics(endpoint)


def test_without_a_service_role_handlers_run_as_the_caller(endpoint):
    name = unique("caller-topic")
    stack_arn = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/*"
    create = sorted(sns_actions("create") - {"sns:Subscribe"})
    role = make_role(endpoint, allow(["cloudformation:CreateStack",
                                      "cloudformation:DescribeStacks",
                                      "cloudformation:DescribeStackEvents"], stack_arn),
                     allow(create, topic_arn(name)))
    cfn = as_role(endpoint, role, "cloudformation", session="deployer")
    cfn.create_stack(StackName=name, TemplateBody=topic_template(name))
    assert stack_of(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    [event] = failed_events(cfn, name, "CREATE_FAILED")
    assert (f"assumed-role/{role.rsplit('/', 1)[-1]}/deployer is not authorized to perform: "
            "sns:Subscribe") in event["ResourceStatusReason"]


def test_a_delete_the_principal_may_not_make_leaves_the_stack_delete_failed(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("keep-topic")
    create = sorted(sns_actions("create"))
    role = make_role(endpoint, allow(create, topic_arn(name)), trust=CFN_TRUST)
    cfn.create_stack(StackName=name, TemplateBody=topic_template(name), RoleARN=role)
    assert stack_of(cfn, name)["StackStatus"] == "CREATE_COMPLETE"

    cfn.delete_stack(StackName=name)
    stack = stack_of(cfn, name)
    assert stack["StackStatus"] == "DELETE_FAILED"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert [e["ResourceStatusReason"] for e in events if e["LogicalResourceId"] == name
            and e["ResourceStatus"] == "DELETE_FAILED"] == [
        "The following resource(s) failed to delete: [Topic]. "]
    [event] = failed_events(cfn, name, "DELETE_FAILED")
    assert "is not authorized to perform: sns:DeleteTopic" in event["ResourceStatusReason"]
    assert topic_arn(name) in topics(endpoint)
    error = refused(cfn.update_stack, StackName=name, TemplateBody=topic_template(name),
                    RoleARN=role)
    assert error["Error"]["Message"] == (f"Stack:{stack['StackId']} is in DELETE_FAILED state "
                                         "and can not be updated.")

    client(endpoint, "iam").put_role_policy(
        RoleName=role.rsplit("/", 1)[-1], PolicyName="delete", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [allow("sns:DeleteTopic", topic_arn(name))]}))
    cfn.delete_stack(StackName=name)  # deleting again retries what is left
    assert topic_arn(name) not in topics(endpoint)
    assert name not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}


def test_the_account_root_runs_handlers_unchecked(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("root-topic")
    cfn.create_stack(StackName=name, TemplateBody=topic_template(name))
    assert stack_of(cfn, name)["StackStatus"] == "CREATE_COMPLETE"


def test_the_create_handlers_calls_on_the_new_resource_see_the_tags_it_is_created_with():
    # Authorized before the resource exists, but CreateDistributionWithTags tags it as it is
    # made, so the handler's reads of it act on a tagged distribution.
    tags = [{"Key": "cfsign:team", "Value": "payments"}]
    distribution = Handled("AWS::CloudFront::Distribution", "Distribution", "Distribution",
                           {"DistributionConfig": {}, "Tags": tags}, None, REGION, ACCOUNT)
    created = {action: keys for action, arn, keys in cfn_handlers.calls(distribution, "create")
               if action.startswith("cloudfront:")}
    assert created["cloudfront:GetDistribution"]["aws:resourcetag/cfsign:team"] == "payments"
    assert created["cloudfront:TagResource"]["aws:requesttag/cfsign:team"] == "payments"
    existing = Handled("AWS::CloudFront::Distribution", "Distribution", "Distribution",
                       {"DistributionConfig": {}, "Tags": tags}, "E2EXAMPLE", REGION, ACCOUNT,
                       {"Id": "E2EXAMPLE"})
    updated = [keys for action, _, keys in cfn_handlers.calls(existing, "update")
               if action == "cloudfront:UpdateDistribution"]
    # An update acts on the distribution as it is: its tags are read from CloudFront.
    assert updated and all("aws:resourcetag/cfsign:team" not in keys for keys in updated)
