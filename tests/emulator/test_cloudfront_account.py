"""CloudFront as an account holds it (cloudfront_account.py): quotas, unique names and caller
references, what may not change or go while in use. Each rule: the refusal and the accepted
case, through the API as boto3 sends it, and where cfsign's stacks meet it, through
CloudFormation."""
import json
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from emulator_testing import (client, cloudfront_settings, deploy, ec_key, failure,
                              in_use, product_stack, public_key_pem, public_pem)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_key(cloudfront, name=None, reference=None):
    name = name or unique("acct-key")
    return cloudfront.create_public_key(PublicKeyConfig={
        "CallerReference": reference or name, "Name": name,
        "EncodedKey": public_key_pem()})["PublicKey"]


def refused(call, code, status):
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == \
        (code, status), error
    return error["Error"]["Message"]


def rhp_config(name):
    return {"Name": name, "Comment": "test", "SecurityHeadersConfig": {
        "ContentTypeOptions": {"Override": True}}}


def oac_config(name):
    return {"Name": name, "SigningProtocol": "sigv4", "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3"}


def function_code(size=100):
    body = "function handler(event) { return event.request; }\n"
    return (body + "//" + "x" * max(0, size - len(body) - 3) + "\n").encode()


CREATES = {
    "public_keys": ("TooManyPublicKeys", lambda cf: new_key(cf)),
    "key_groups": ("TooManyKeyGroups", lambda cf: cf.create_key_group(KeyGroupConfig={
        "Name": unique("acct-group"), "Items": [new_key(cf)["Id"]]})),
    "response_headers_policies": ("TooManyResponseHeadersPolicies",
                                  lambda cf: cf.create_response_headers_policy(
                                      ResponseHeadersPolicyConfig=rhp_config(unique("acct")))),
    "origin_access_controls": ("TooManyOriginAccessControls",
                               lambda cf: cf.create_origin_access_control(
                                   OriginAccessControlConfig=oac_config(unique("acct")))),
    "functions": ("TooManyFunctions", lambda cf: cf.create_function(
        Name=unique("acct"), FunctionCode=function_code(),
        FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"})),
}


@pytest.mark.parametrize("kind", sorted(CREATES))
def test_an_account_holds_what_its_quota_allows(endpoint, kind):
    cloudfront = client(endpoint, "cloudfront")
    code, create = CREATES[kind]
    # Room for one more (a key group needs a key of its own, so keys get room for two).
    room = {"public_keys": in_use(endpoint, "public_keys") + 2}
    room[kind] = in_use(endpoint, kind) + 1
    with cloudfront_settings(endpoint, quotas=room):
        create(cloudfront)
        refused(lambda: create(cloudfront), code, 400)


def test_the_default_quotas_are_the_documented_ones():
    from cloudfront_account import DEFAULT_QUOTAS
    assert DEFAULT_QUOTAS == {
        "public_keys": 10, "key_groups": 10, "public_keys_per_key_group": 5,
        "key_groups_per_cache_behavior": 4, "response_headers_policies": 20,
        "origin_access_controls": 100, "functions": 100, "function_size_bytes": 10240,
        "distributions": 500}


def test_the_control_endpoint_refuses_an_unknown_quota(endpoint):
    answer = requests.post(f"{endpoint}/_cloudfront", json={"quotas": {"tea_pots": 3}})
    assert answer.status_code == 400 and "tea_pots" in answer.text


def test_a_key_group_holds_at_most_five_keys_and_at_least_one(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    keys = [new_key(cloudfront)["Id"] for _ in range(6)]
    refused(lambda: cloudfront.create_key_group(KeyGroupConfig={
        "Name": unique("acct-six"), "Items": keys}), "TooManyPublicKeysInKeyGroup", 400)
    refused(lambda: cloudfront.create_key_group(KeyGroupConfig={
        "Name": unique("acct-none"), "Items": []}), "InvalidArgument", 400)
    refused(lambda: cloudfront.create_key_group(KeyGroupConfig={
        "Name": unique("acct-unknown"), "Items": ["KUNKNOWN00000"]}), "InvalidArgument", 400)
    cloudfront.create_key_group(KeyGroupConfig={"Name": unique("acct-five"), "Items": keys[:5]})


def test_public_key_names_are_unique_and_caller_references_are_never_replayed(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    first = new_key(cloudfront)
    name, reference = first["PublicKeyConfig"]["Name"], first["PublicKeyConfig"]["CallerReference"]
    message = refused(lambda: new_key(cloudfront, name=name, reference=unique("ref")),
                      "PublicKeyAlreadyExists", 409)
    assert "associated with another public key" in message
    # Deleted, its name is free again, but its caller reference is not.
    etag = cloudfront.get_public_key(Id=first["Id"])["ETag"]
    cloudfront.delete_public_key(Id=first["Id"], IfMatch=etag)
    refused(lambda: new_key(cloudfront, name=unique("acct-other"), reference=reference),
            "PublicKeyAlreadyExists", 409)
    new_key(cloudfront, name=name, reference=unique("ref"))


@pytest.mark.parametrize("kind", ["key_group", "origin_access_control",
                                  "response_headers_policy", "function"])
def test_names_are_unique_in_the_account(endpoint, kind):
    cloudfront = client(endpoint, "cloudfront")
    name = unique("acct-name")
    create, code = {
        "key_group": (lambda: cloudfront.create_key_group(KeyGroupConfig={
            "Name": name, "Items": [new_key(cloudfront)["Id"]]}), "KeyGroupAlreadyExists"),
        "origin_access_control": (lambda: cloudfront.create_origin_access_control(
            OriginAccessControlConfig=oac_config(name)), "OriginAccessControlAlreadyExists"),
        "response_headers_policy": (lambda: cloudfront.create_response_headers_policy(
            ResponseHeadersPolicyConfig=rhp_config(name)), "ResponseHeadersPolicyAlreadyExists"),
        "function": (lambda: cloudfront.create_function(
            Name=name, FunctionCode=function_code(),
            FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"}),
            "FunctionAlreadyExists"),
    }[kind]
    create()
    refused(create, code, 409)


def test_a_function_is_at_most_10_kb(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    config = {"Comment": "", "Runtime": "cloudfront-js-2.0"}
    refused(lambda: cloudfront.create_function(Name=unique("acct-big"), FunctionConfig=config,
                                               FunctionCode=function_code(10 * 1024 + 1)),
            "FunctionSizeLimitExceeded", 413)
    cloudfront.create_function(Name=unique("acct-fits"), FunctionConfig=config,
                               FunctionCode=function_code(10 * 1024))


def test_only_a_public_keys_comment_changes(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    key = new_key(cloudfront)
    config = dict(key["PublicKeyConfig"])
    etag = cloudfront.get_public_key(Id=key["Id"])["ETag"]
    refused(lambda: cloudfront.update_public_key(Id=key["Id"], IfMatch=etag, PublicKeyConfig={
        **config, "EncodedKey": public_key_pem()}), "CannotChangeImmutablePublicKeyFields", 400)
    refused(lambda: cloudfront.update_public_key(Id=key["Id"], IfMatch=etag, PublicKeyConfig={
        **config, "Name": unique("acct-renamed")}), "IllegalUpdate", 400)
    cloudfront.update_public_key(Id=key["Id"], IfMatch=etag,
                                 PublicKeyConfig={**config, "Comment": "rotated"})
    assert cloudfront.get_public_key(Id=key["Id"])["PublicKey"]["PublicKeyConfig"][
        "Comment"] == "rotated"


def test_a_public_key_in_a_key_group_is_in_use(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    kept, dropped = new_key(cloudfront)["Id"], new_key(cloudfront)["Id"]
    group = cloudfront.create_key_group(KeyGroupConfig={"Name": unique("acct-use"),
                                                        "Items": [kept, dropped]})
    etag = cloudfront.get_public_key(Id=dropped)["ETag"]
    refused(lambda: cloudfront.delete_public_key(Id=dropped, IfMatch=etag), "PublicKeyInUse", 409)
    cloudfront.update_key_group(Id=group["KeyGroup"]["Id"], IfMatch=group["ETag"],
                                KeyGroupConfig={"Name": group["KeyGroup"]["KeyGroupConfig"]
                                                ["Name"], "Items": [kept]})
    cloudfront.delete_public_key(Id=dropped, IfMatch=etag)


def _distribution_template(key_group, policy, oac_name):
    return {"Resources": {
        "Oac": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
            "OriginAccessControlConfig": oac_config(oac_name)}},
        "Distribution": {"Type": "AWS::CloudFront::Distribution", "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Origins": [{"Id": "o", "DomainName": "b.s3.us-east-1.amazonaws.com",
                             "OriginAccessControlId": {"Ref": "Oac"},
                             "S3OriginConfig": {"OriginAccessIdentity": ""}}],
                "DefaultCacheBehavior": {"TargetOriginId": "o",
                                         "ViewerProtocolPolicy": "https-only",
                                         "TrustedKeyGroups": [key_group],
                                         "ResponseHeadersPolicyId": policy}}}}},
        "Outputs": {"Id": {"Value": {"Ref": "Distribution"}},
                    "Oac": {"Value": {"Ref": "Oac"}}}}


def test_what_a_distribution_uses_exists_and_cannot_go(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    cfn = client(endpoint, "cloudformation")
    group = cloudfront.create_key_group(KeyGroupConfig={
        "Name": unique("acct-dist"), "Items": [new_key(cloudfront)["Id"]]})
    policy = cloudfront.create_response_headers_policy(
        ResponseHeadersPolicyConfig=rhp_config(unique("acct-dist")))
    group_id, policy_id = group["KeyGroup"]["Id"], policy["ResponseHeadersPolicy"]["Id"]

    for bad_group, bad_policy, reason in [("KNOSUCHGROUP0", policy_id, "does not exist"),
                                          (group_id, str(uuid.uuid4()), "does not exist")]:
        name = unique("acct-bad")
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(
            _distribution_template(bad_group, bad_policy, unique("acct-oac"))))
        assert "ROLLBACK_COMPLETE" in failure(cfn, name) and reason in failure(cfn, name)

    outputs = deploy(endpoint, unique("acct-dist"),
                     _distribution_template(group_id, policy_id, unique("acct-oac")))
    refused(lambda: cloudfront.delete_key_group(Id=group_id, IfMatch=group["ETag"]),
            "ResourceInUse", 409)
    refused(lambda: cloudfront.delete_response_headers_policy(Id=policy_id,
                                                              IfMatch=policy["ETag"]),
            "ResponseHeadersPolicyInUse", 409)
    oac = cloudfront.get_origin_access_control(Id=outputs["Oac"])
    refused(lambda: cloudfront.delete_origin_access_control(Id=outputs["Oac"],
                                                            IfMatch=oac["ETag"]),
            "OriginAccessControlInUse", 409)
    listed = cloudfront.list_distributions_by_response_headers_policy_id(
        ResponseHeadersPolicyId=policy_id)["DistributionIdList"]
    assert listed["Items"] == [outputs["Id"]]


def test_a_stack_cannot_change_a_public_keys_value_in_place(endpoint):
    template = {"Parameters": {"Key": {"Type": "String"}}, "Resources": {"PublicKey": {
        "Type": "AWS::CloudFront::PublicKey", "Properties": {"PublicKeyConfig": {
            "Name": unique("acct-cfn"), "CallerReference": unique("acct-cfn"),
            "EncodedKey": {"Ref": "Key"}}}}}}
    cfn = client(endpoint, "cloudformation")
    name = unique("acct-cfn")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": "Key", "ParameterValue": public_key_pem()}])
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": "Key", "ParameterValue": public_key_pem()}])
    reason = failure(cfn, name)
    assert "UPDATE_ROLLBACK_COMPLETE" in reason and \
        "Invalid request provided: AWS::CloudFront::PublicKey" in reason, reason


def test_refilling_a_key_slot_takes_a_new_name_and_caller_reference(endpoint):
    """Fill A, fill B, empty A, fill A again: the refill is a new public key, so the key-pair
    product must give it a name and caller reference the first A did not have."""
    stack, team = unique("acct-slots"), unique("slots")[:20]
    fill = lambda **slots: product_stack(endpoint, stack, "key-pair", {"TeamName": team, **slots})
    a, b, a_again = (public_pem(ec_key()) for _ in range(3))
    first = fill(KeySlotAPublicKey=a, KeySlotAFillId="1")
    fill(KeySlotAPublicKey=a, KeySlotAFillId="1", KeySlotBPublicKey=b, KeySlotBFillId="2")
    after_retire = fill(KeySlotAPublicKey="", KeySlotBPublicKey=b, KeySlotBFillId="2")
    assert "KeySlotAPublicKeyId" not in after_retire
    refilled = fill(KeySlotAPublicKey=a_again, KeySlotAFillId="3", KeySlotBPublicKey=b,
                    KeySlotBFillId="2")
    assert refilled["KeySlotAPublicKeyId"] != first["KeySlotAPublicKeyId"]


def test_a_stack_cannot_replay_a_deleted_keys_caller_reference(endpoint):
    """The refusal the key-pair product's fill id avoids: a new key with the caller reference of
    one deleted before (the key-pair stack used "<stack>-slot-a" for every fill of slot A)."""
    reference = unique("acct-replayed")
    template = {"Resources": {"PublicKey": {
        "Type": "AWS::CloudFront::PublicKey", "Properties": {"PublicKeyConfig": {
            "Name": unique("acct-first"), "CallerReference": reference,
            "EncodedKey": public_key_pem()}}}}}
    first = unique("acct-first")
    deploy(endpoint, first, template)
    cfn = client(endpoint, "cloudformation")
    cfn.delete_stack(StackName=first)
    template["Resources"]["PublicKey"]["Properties"]["PublicKeyConfig"].update(
        Name=unique("acct-second"), EncodedKey=public_key_pem())
    second = unique("acct-second")
    cfn.create_stack(StackName=second, TemplateBody=json.dumps(template))
    reason = failure(cfn, second)
    assert "ROLLBACK_COMPLETE" in reason and "cannot be replayed" in reason, reason
