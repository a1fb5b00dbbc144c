"""Parameter constraints (cfn_parameters.py): a value outside AllowedPattern or AllowedValues
refuses CreateStack and UpdateStack with CloudFormation's message; values inside pass. The
template's Rules section is evaluated with the values the stack would take."""
import json

from emulator_testing import PRODUCTS, client, product_stack, refused, unique

TEMPLATE = json.dumps({
    "Parameters": {
        "Name": {"Type": "String", "AllowedPattern": "^cfsign-[a-z]+$"},
        "Mode": {"Type": "String", "Default": "on", "AllowedValues": ["on", "off"]},
        "Names": {"Type": "CommaDelimitedList", "Default": "a", "AllowedPattern": "[a-z]+",
                  "ConstraintDescription": "lower-case words"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {
        "TopicName": {"Ref": "Name"}}}}})


def parameters(**values):
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def error_of(call, **kwargs):
    error = refused(call, **kwargs)["Error"]
    assert error["Code"] == "ValidationError"
    return error["Message"]


def test_a_value_outside_its_pattern_or_allowed_values_is_refused(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("params")
    assert error_of(cfn.create_stack, StackName=name, TemplateBody=TEMPLATE,
                    Parameters=parameters(Name="other-name")) == \
        "Parameter 'Name' must match pattern ^cfsign-[a-z]+$"
    assert error_of(cfn.create_stack, StackName=name, TemplateBody=TEMPLATE,
                    Parameters=parameters(Name="cfsign-a", Mode="maybe")) == \
        "Parameter 'Mode' must be one of AllowedValues"
    assert error_of(cfn.create_stack, StackName=name, TemplateBody=TEMPLATE,
                    Parameters=parameters(Name="cfsign-a", Names="ok,Not-OK")) == \
        "Parameter Names failed to satisfy constraint: lower-case words"
    assert name not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}


def test_values_inside_their_constraints_create_and_update(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("params")
    cfn.create_stack(StackName=name, TemplateBody=TEMPLATE,
                     Parameters=parameters(Name="cfsign-a", Names="ok,fine"))
    assert error_of(cfn.update_stack, StackName=name, TemplateBody=TEMPLATE,
                    Parameters=parameters(Name="cfsign-a", Mode="sometimes")) == \
        "Parameter 'Mode' must be one of AllowedValues"
    cfn.update_stack(StackName=name, TemplateBody=TEMPLATE,
                     Parameters=[{"ParameterKey": "Name", "UsePreviousValue": True},
                                 {"ParameterKey": "Mode", "ParameterValue": "off"}])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"


RULED = json.dumps({
    "Parameters": {
        "Class": {"Type": "String", "Default": "GLACIER_IR"},
        "Days": {"Type": "Number", "Default": "0"}},
    "Rules": {"InfrequentAccessAfter30Days": {
        "RuleCondition": {"Fn::Equals": [{"Ref": "Class"}, "STANDARD_IA"]},
        "Assertions": [{"Assert": {"Fn::Not": [{"Fn::Contains": [["1", "29"], {"Ref": "Days"}]}]},
                        "AssertDescription": "at least 30 days for STANDARD_IA"}]}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


def test_a_template_rule_that_fails_refuses_the_stack_before_anything_is_made(endpoint):
    cfn, name = client(endpoint, "cloudformation"), unique("rules")
    assert error_of(cfn.create_stack, StackName=name, TemplateBody=RULED,
                    Parameters=parameters(Class="STANDARD_IA", Days="29")) == \
        "at least 30 days for STANDARD_IA"
    assert name not in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}
    # A false RuleCondition skips the rule; a value the assertion takes passes.
    cfn.create_stack(StackName=name, TemplateBody=RULED, Parameters=parameters(Days="29"))
    assert error_of(cfn.update_stack, StackName=name, TemplateBody=RULED,
                    Parameters=[{"ParameterKey": "Class", "ParameterValue": "STANDARD_IA"},
                                {"ParameterKey": "Days", "UsePreviousValue": True}]) == \
        "at least 30 days for STANDARD_IA"
    cfn.update_stack(StackName=name, TemplateBody=RULED,
                     Parameters=parameters(Class="STANDARD_IA", Days="30"))
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"


def test_the_bucket_product_refuses_an_early_infrequent_access_transition_before_any_bucket(
        endpoint):
    cfn, s3, team = client(endpoint, "cloudformation"), client(endpoint, "s3"), unique("ia")
    body = (PRODUCTS / "s3-bucket" / "template.yaml").read_text()
    message = error_of(cfn.create_stack, StackName=team, TemplateBody=body,
                       Parameters=parameters(TeamName=team, TransitionDays="10",
                                             TransitionStorageClass="STANDARD_IA"))
    assert message.startswith("TransitionDays must be 0 (no transition) or at least 30"), message
    assert not [b for b in s3.list_buckets()["Buckets"] if team in b["Name"]]
    # Ten days to a class without S3's 30-day minimum is a bucket with that transition.
    outputs = product_stack(endpoint, team, "s3-bucket", {
        "TeamName": team, "TransitionDays": "10", "TransitionStorageClass": "GLACIER_IR"})
    rules = s3.get_bucket_lifecycle_configuration(Bucket=outputs["BucketName"])["Rules"]
    [moved] = [r for r in rules if r["ID"] == "TransitionObjects"]
    assert moved["Transitions"][0]["Days"] == 10
