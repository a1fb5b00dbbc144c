"""CloudFront Functions at the edge (edge_functions.py), and the S3 origin's CORS and the
response headers policies a behavior names, on distributions made for each case (no signing:
these behaviors trust no key group)."""
import json
import uuid

import pytest
import requests

from emulator_testing import client, deploy

ORIGIN_REQUEST_CORS_S3 = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"


def distribution(endpoint, code=None, behavior=None, policy=None, cors=None):
    """A distribution over a new bucket whose policy grants it GetObject and PutObject, with
    the default behavior allowing every method, an optional viewer-request function `code`
    and response headers policy `policy`; the bucket gets CORS rules `cors`. Returns
    (edge base URL, bucket)."""
    name = f"fn{uuid.uuid4().hex[:10]}"
    behavior = {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only",
                "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                **(behavior or {})}
    resources = {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}},
        "Oac": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
            "OriginAccessControlConfig": {"Name": name, "SigningProtocol": "sigv4",
                                          "SigningBehavior": "always",
                                          "OriginAccessControlOriginType": "s3"}}},
        "Distribution": {"Type": "AWS::CloudFront::Distribution", "Properties": {
            "DistributionConfig": {"Enabled": True, "DefaultCacheBehavior": behavior, "Origins": [
                {"Id": "o", "DomainName": f"{name}.s3.us-east-1.amazonaws.com",
                 "OriginAccessControlId": {"Ref": "Oac"},
                 "S3OriginConfig": {"OriginAccessIdentity": ""}}]}}},
        "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
                    "arn:aws:cloudfront::${AWS::AccountId}:distribution/${Distribution}")}}}}]}}},
    }
    if code is not None:
        resources["Function"] = {"Type": "AWS::CloudFront::Function", "Properties": {
            "Name": name, "AutoPublish": True, "FunctionCode": code,
            "FunctionConfig": {"Comment": "test", "Runtime": "cloudfront-js-2.0"}}}
        behavior["FunctionAssociations"] = [{"EventType": "viewer-request",
                                             "FunctionARN": {"Fn::GetAtt": ["Function",
                                                                            "FunctionARN"]}}]
    if policy is not None:
        resources["Headers"] = {"Type": "AWS::CloudFront::ResponseHeadersPolicy", "Properties": {
            "ResponseHeadersPolicyConfig": {"Name": name, **policy}}}
        behavior["ResponseHeadersPolicyId"] = {"Ref": "Headers"}
    if cors is not None:
        resources["Bucket"]["Properties"]["CorsConfiguration"] = {"CorsRules": cors}
    outputs = deploy(endpoint, name, {"Resources": resources, "Outputs": {
        "Id": {"Value": {"Ref": "Distribution"}}}})
    return f"{endpoint}/_edge/{outputs['Id']}", name


ECHO = """
function handler(event) {
  return { statusCode: 200, statusDescription: "OK",
           headers: { "x-echo-header": { value: "yes" }, "content-type": { value: "application/json" } },
           cookies: { seen: { value: "1", attributes: "Path=/" } },
           body: { encoding: "text", data: JSON.stringify(event) } };
}
"""


def test_a_viewer_request_function_sees_the_event_cloudfront_documents(endpoint):
    base, _ = distribution(endpoint, ECHO)
    response = requests.get(base + "/a/b.txt?one=1&two=2&two=3&empty=",
                            headers={"X-Custom": "v", "Accept": "text/plain"},
                            cookies={"session": "s1"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Cache"] == "FunctionGeneratedResponse from cloudfront"
    assert response.headers["X-Echo-Header"] == "yes"
    assert "seen=1; Path=/" in response.headers["Set-Cookie"]
    event = response.json()
    assert event["version"] == "1.0"
    assert event["context"]["eventType"] == "viewer-request"
    assert event["context"]["distributionId"] == base.rsplit("/", 1)[1]
    assert event["context"]["distributionDomainName"].endswith(".cloudfront.net")
    assert event["viewer"]["ip"] == "127.0.0.1"
    request = event["request"]
    assert (request["method"], request["uri"]) == ("GET", "/a/b.txt")
    assert request["querystring"]["one"] == {"value": "1"}
    assert request["querystring"]["two"] == {
        "value": "2", "multiValue": [{"value": "2"}, {"value": "3"}]}
    assert request["querystring"]["empty"] == {"value": ""}
    assert request["headers"]["x-custom"] == {"value": "v"}
    assert "cookie" not in request["headers"]
    assert request["cookies"]["session"] == {"value": "s1"}


def test_a_request_the_function_returns_goes_on_to_the_origin(endpoint):
    base, bucket = distribution(endpoint, """
function handler(event) {
  var request = event.request;
  if (request.uri === "/alias.txt") { request.uri = "/real.txt"; }
  return request;
}
""")
    client(endpoint, "s3").put_object(Bucket=bucket, Key="real.txt", Body=b"real")
    assert requests.get(base + "/alias.txt").content == b"real"
    assert requests.get(base + "/real.txt").content == b"real"


@pytest.mark.parametrize("code", [
    "function handler(event) { throw new Error('broken'); }",
    "function handler(event) { return require('fs'); }",  # no Node globals
    "function handler(event) { return 42; }",
    "function notTheHandler(event) { return event.request; }",
    "function handler(event) { return event.request",  # does not compile
])
def test_a_function_that_fails_is_a_503(endpoint, code):
    base, bucket = distribution(endpoint, code)
    client(endpoint, "s3").put_object(Bucket=bucket, Key="x.txt", Body=b"x")
    response = requests.get(base + "/x.txt")
    assert response.status_code == 503
    assert "<Code>FunctionExecutionError</Code>" in response.text


def test_a_function_must_be_published_to_be_associated(endpoint):
    name = f"fn{uuid.uuid4().hex[:10]}"
    cfn = client(endpoint, "cloudformation")
    template = {"Resources": {
        "Function": {"Type": "AWS::CloudFront::Function", "Properties": {
            "Name": name, "AutoPublish": False, "FunctionCode": ECHO,
            "FunctionConfig": {"Comment": "", "Runtime": "cloudfront-js-2.0"}}},
        "Distribution": {"Type": "AWS::CloudFront::Distribution", "Properties": {
            "DistributionConfig": {"Enabled": True, "Origins": [
                {"Id": "o", "DomainName": "b.s3.us-east-1.amazonaws.com",
                 "S3OriginConfig": {"OriginAccessIdentity": ""}}],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "o", "ViewerProtocolPolicy": "https-only",
                    "FunctionAssociations": [{"EventType": "viewer-request", "FunctionARN": {
                        "Fn::GetAtt": ["Function", "FunctionARN"]}}]}}}}}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert any(e["ResourceStatus"] == "CREATE_FAILED" and
               "not a published function" in e.get("ResourceStatusReason", "")
               for e in events), events


# --- CORS at the origin ---------------------------------------------------------------------

PREFLIGHT = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "content-type"}
CORS_RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
               "AllowedHeaders": ["*"], "ExposedHeaders": ["ETag"], "MaxAge": 600}]


def test_a_preflight_reaches_the_bucket_only_with_the_cors_origin_request_policy(endpoint):
    base, _ = distribution(endpoint, cors=CORS_RULES)
    response = requests.options(base + "/up.txt", headers=PREFLIGHT)
    assert response.status_code == 400  # S3 saw no Origin
    base, _ = distribution(endpoint, cors=CORS_RULES,
                           behavior={"OriginRequestPolicyId": ORIGIN_REQUEST_CORS_S3})
    response = requests.options(base + "/up.txt", headers=PREFLIGHT)
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_a_bucket_without_cors_refuses_every_preflight(endpoint):
    base, _ = distribution(endpoint, behavior={"OriginRequestPolicyId": ORIGIN_REQUEST_CORS_S3})
    response = requests.options(base + "/up.txt", headers=PREFLIGHT)
    assert response.status_code == 403
    assert "CORS is not enabled for this bucket" in response.text


@pytest.mark.parametrize("change", [{"Origin": "https://evil.example.com"},
                                    {"Access-Control-Request-Method": "DELETE"},
                                    {"Access-Control-Request-Headers": "x-other"}])
def test_a_preflight_no_rule_matches_is_refused(endpoint, change):
    rules = [dict(CORS_RULES[0], AllowedHeaders=["content-type"])]
    base, _ = distribution(endpoint, cors=rules,
                           behavior={"OriginRequestPolicyId": ORIGIN_REQUEST_CORS_S3})
    response = requests.options(base + "/up.txt", headers={**PREFLIGHT, **change})
    assert response.status_code == 403
    assert "This CORS request is not allowed" in response.text


def test_the_bucket_adds_cors_headers_to_a_request_with_an_allowed_origin(endpoint):
    base, bucket = distribution(endpoint, cors=CORS_RULES,
                                behavior={"OriginRequestPolicyId": ORIGIN_REQUEST_CORS_S3})
    client(endpoint, "s3").put_object(Bucket=bucket, Key="c.txt", Body=b"c")
    allowed = requests.get(base + "/c.txt", headers={"Origin": "https://app.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = requests.get(base + "/c.txt", headers={"Origin": "https://evil.example.com"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers


# --- response headers policies -------------------------------------------------------------

def test_the_behaviors_response_headers_policy_is_applied(endpoint):
    base, bucket = distribution(endpoint, policy={
        "SecurityHeadersConfig": {
            "StrictTransportSecurity": {"AccessControlMaxAgeSec": 600, "IncludeSubdomains": True,
                                        "Override": True},
            "ContentTypeOptions": {"Override": True},
            "ContentSecurityPolicy": {"ContentSecurityPolicy": "default-src 'none'; sandbox",
                                      "Override": True}},
        "CustomHeadersConfig": {"Items": [
            {"Header": "Content-Disposition", "Value": "attachment", "Override": True},
            {"Header": "ETag", "Value": "from-the-policy", "Override": False}]},
        "CorsConfig": {"AccessControlAllowOrigins": {"Items": ["https://*.example.com"]},
                       "AccessControlAllowHeaders": {"Items": ["*"]},
                       "AccessControlAllowMethods": {"Items": ["GET"]},
                       "AccessControlAllowCredentials": False, "OriginOverride": True}})
    client(endpoint, "s3").put_object(Bucket=bucket, Key="h.html", Body=b"<script></script>")
    response = requests.get(base + "/h.html", headers={"Origin": "https://app.example.com"})
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"] == "attachment"
    assert response.headers["ETag"] != "from-the-policy"  # the origin's stays: no Override
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = requests.get(base + "/h.html", headers={"Origin": "https://evil.example.org"})
    assert "Access-Control-Allow-Origin" not in other.headers
