"""Helpers shared by the emulator's tests."""
import contextlib
import hashlib
import json
import uuid
from pathlib import Path

import boto3
import requests
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

REGION = "us-east-1"
ACCOUNT = "123456789012"
PRODUCTS = Path(__file__).parents[2] / "products"


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "sts:AssumeRole"}]}


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_role(endpoint, *statements, path="/", boundary=None, trust=TRUST_ACCOUNT, name=None):
    """A role with one inline policy; returns its ARN."""
    iam = client(endpoint, "iam")
    name = name or unique("role")
    extra = {"PermissionsBoundary": boundary} if boundary else {}
    arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust),
                          **extra)["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="inline",
                            PolicyDocument=document(*statements))
    return arn


def credentials_of(endpoint, role_arn, caller=None, session="app"):
    sts = caller or client(endpoint, "sts")
    return sts.assume_role(RoleArn=role_arn, RoleSessionName=session)["Credentials"]


def as_role(endpoint, role_arn, service, session="app"):
    """A client of `service` acting as a session of the role."""
    found = credentials_of(endpoint, role_arn, session=session)
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=found["AccessKeyId"],
                        aws_secret_access_key=found["SecretAccessKey"],
                        aws_session_token=found["SessionToken"])


def refused(call, *args, **kwargs):
    """The error response of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response


def deploy(endpoint, name, template):
    """Creates a stack from a template dict and returns its outputs."""
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def product_stack(endpoint, name, product, parameters):
    """Creates or updates a stack from products/<product>/template.yaml; returns its outputs."""
    body = (PRODUCTS / product / "template.yaml").read_text()
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    cfn = client(endpoint, "cloudformation")
    try:
        cfn.describe_stacks(StackName=name)
        cfn.update_stack(StackName=name, TemplateBody=body, Parameters=params,
                         Capabilities=["CAPABILITY_NAMED_IAM"])
    except cfn.exceptions.ClientError:
        cfn.create_stack(StackName=name, TemplateBody=body, Parameters=params,
                         Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), failure(cfn, name)
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def failure(cfn, name):
    """Why the stack `name` failed: its status and the reasons its events give."""
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    reasons = [f"{e['LogicalResourceId']}: {e['ResourceStatusReason']}"
               for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
               if e.get("ResourceStatusReason")]
    return f"{name} {stack['StackStatus']}: {reasons}"


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_key_pem():
    return public_pem(ec_key())


def shared_policies(endpoint, key="shared"):
    """The ids of the response headers policies teams share (cfsign-downloads-KEY and
    cfsign-uploads-v1), "" for those not created yet, as the distribution product takes them."""
    listed = client(endpoint, "cloudfront").list_response_headers_policies(
        Type="custom")["ResponseHeadersPolicyList"].get("Items", [])
    by_name = {p["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["Name"]:
               p["ResponseHeadersPolicy"]["Id"] for p in listed}
    return {"DownloadsHeadersPolicyId": by_name.get(f"cfsign-downloads-{key}", ""),
            "UploadsHeadersPolicyId": by_name.get("cfsign-uploads-v1", ""),
            "HeadersPolicyKey": key}


def distribution_stack(endpoint, name, parameters, key="shared"):
    """The distribution product as provision.rhai runs it: the shared response headers
    policies found by name, or created by this stack and let go at once. Returns outputs."""
    parameters = {**parameters, **shared_policies(endpoint, key)}
    outputs = product_stack(endpoint, name, "cloudfront-distribution", parameters)
    created = {k: outputs[k] for k in ("DownloadsHeadersPolicyId", "UploadsHeadersPolicyId")
               if not parameters[k]}
    if created:
        outputs = product_stack(endpoint, name, "cloudfront-distribution",
                                {**parameters, **created})
    return outputs


def team_stack(endpoint, team, public_key, origins="", upload_types=""):
    """A team's bucket, key pair (slot A: public_key), distribution, and the bucket policy
    admitting the distribution, as provision.rhai wires them. Returns all outputs."""
    outputs = product_stack(endpoint, f"{team}-bucket", "s3-bucket", {
        "TeamName": team, "AllowedOrigins": origins})
    outputs.update(product_stack(endpoint, f"{team}-keys", "key-pair", {
        "TeamName": team, "KeySlotAPublicKey": public_key}))
    outputs.update(distribution_stack(endpoint, f"{team}-cdn", {
        "TeamName": team, "DomainName": f"files.{team}.example.com",
        "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-1111",
        "BucketRegionalDomainName": outputs["BucketRegionalDomainName"],
        "KeyGroupId": outputs["KeyGroupId"], "AllowedOrigins": origins,
        "AllowedUploadContentTypes": upload_types},
        key="shared" if not origins else hashlib.sha256(origins.encode()).hexdigest()[:12]))
    product_stack(endpoint, f"{team}-bucket", "s3-bucket", {
        "TeamName": team, "DistributionArn": outputs["DistributionArn"],
        "AllowedOrigins": origins})
    return outputs


class _Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def wire_environ(service, operation, params, endpoint="http://127.0.0.1:4566"):
    """The WSGI environ of the request boto3 would send for `operation` with `params` (sent
    unvalidated, so a test can send what AWS refuses), without sending it."""
    from botocore.config import Config
    from werkzeug.test import EnvironBuilder

    session = boto3.session.Session(aws_access_key_id="testing",
                                    aws_secret_access_key="testing", region_name=REGION)
    api = session.client(service, endpoint_url=endpoint, config=Config(
        parameter_validation=False, retries={"total_max_attempts": 1},
        s3={"addressing_style": "path"}))

    def capture(request, **_):
        raise _Captured(request)

    api.meta.events.register("before-send", capture)
    method = getattr(api, _snake(api, operation))
    try:
        method(**params)
    except _Captured as captured:
        request = captured.request
    else:
        raise AssertionError("the request was not captured")
    path, _, query = request.url.split("://", 1)[1].partition("/")[2].partition("?")
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    builder = EnvironBuilder(method=request.method, path="/" + path, query_string=query,
                             headers={k: v.decode() if isinstance(v, bytes) else v
                                      for k, v in request.headers.items()}, data=body or b"")
    environ = builder.get_environ()
    environ["RAW_URI"] = "/" + path + ("?" + query if query else "")
    return environ


def _snake(api, operation):
    return next(name for name, op in api.meta.method_to_api_mapping.items() if op == operation)


@contextlib.contextmanager
def cloudfront_settings(endpoint, quotas=None, propagation_seconds=None):
    """The emulator's CloudFront quotas and key-group propagation delay changed for a block
    (POST /_cloudfront), restored after it."""
    before = requests.get(f"{endpoint}/_cloudfront").json()
    change = {"quotas": quotas or {}}
    if propagation_seconds is not None:
        change["propagation_seconds"] = propagation_seconds
    requests.post(f"{endpoint}/_cloudfront", json=change).raise_for_status()
    try:
        yield
    finally:
        requests.post(f"{endpoint}/_cloudfront", json=before).raise_for_status()


def in_use(endpoint, kind):
    """How many of `kind` (ListPublicKeys, ListKeyGroups, ...) the account holds."""
    cloudfront = client(endpoint, "cloudfront")
    listed = {"public_keys": lambda: cloudfront.list_public_keys()["PublicKeyList"],
              "key_groups": lambda: cloudfront.list_key_groups()["KeyGroupList"],
              "origin_access_controls":
                  lambda: cloudfront.list_origin_access_controls()["OriginAccessControlList"],
              "functions": lambda: cloudfront.list_functions()["FunctionList"],
              "response_headers_policies": lambda: cloudfront.list_response_headers_policies(
                  Type="custom")["ResponseHeadersPolicyList"]}[kind]()
    return listed["Quantity"]
