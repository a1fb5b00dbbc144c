"""Parameter constraints (cfn_parameters.py): a value outside AllowedPattern or AllowedValues
refuses CreateStack and UpdateStack with CloudFormation's message; values inside pass."""
import json

from emulator_testing import client, refused, unique

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
