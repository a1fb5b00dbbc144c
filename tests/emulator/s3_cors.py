"""S3's CORS, as the bucket behind the edge answers it: the bucket's CORS configuration (set by
PutBucketCors, or by AWS::S3::Bucket's CorsConfiguration, which moto 5.2.5 ignored) decides a
preflight OPTIONS and adds CORS headers to other requests that carry an Origin.

Sources:
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html ("How does Amazon S3 evaluate
  the CORS configuration on a bucket?"): the first rule whose AllowedOrigin matches the Origin
  (one `*` wildcard allowed), whose AllowedMethod holds the method (Access-Control-Request-Method
  for a preflight), and whose AllowedHeader entries match every header the preflight's
  Access-Control-Request-Headers lists.
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html: a bucket with
  no CORS configuration answers 403 "CORS is not enabled for this bucket"; no matching rule,
  403 "This CORS request is not allowed".
- https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html: a preflight needs
  Origin and Access-Control-Request-Method (Required: Yes).
- S3 answers a non-403 preflight with `Vary: Origin, Access-Control-Request-Headers,
  Access-Control-Request-Method` (seen against AWS, scality/cloudserver#518).
"""
import re

from moto.s3.models import FakeBucket
from werkzeug.wrappers import Response

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


def _matches(pattern, value):
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), value, re.I) is not None


def _rule_for(bucket, origin, method, requested_headers):
    for rule in bucket.cors:
        if not any(_matches(o, origin) for o in rule.allowed_origins):
            continue
        if method not in rule.allowed_methods:
            continue
        allowed = rule.allowed_headers or []
        if all(any(_matches(a, h) for a in allowed) for h in requested_headers):
            return rule
    return None


def _forbidden(message):
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessForbidden</Code>'
            f"<Message>CORSResponse: {message}</Message><Method>OPTIONS</Method>"
            "<ResourceType>OBJECT</ResourceType></Error>")
    return Response(body, status=403, content_type="application/xml")


def _allow_origin(rule, origin):
    wildcard = "*" in rule.allowed_origins
    headers = {"Access-Control-Allow-Origin": "*" if wildcard else origin}
    if not wildcard:
        headers["Access-Control-Allow-Credentials"] = "true"
    headers["Access-Control-Allow-Methods"] = ", ".join(rule.allowed_methods)
    if rule.exposed_headers:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.exposed_headers)
    if rule.max_age_seconds:
        headers["Access-Control-Max-Age"] = str(rule.max_age_seconds)
    headers["Vary"] = VARY
    return headers


def preflight(bucket, headers):
    """S3's answer to an OPTIONS request with the viewer headers that reached it."""
    origin = headers.get("Origin")
    method = headers.get("Access-Control-Request-Method")
    if not origin or not method:
        body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadRequest</Code>'
                "<Message>Insufficient information. Origin request header needed.</Message>"
                "</Error>")
        return Response(body, status=400, content_type="application/xml")
    if not bucket.cors:
        return _forbidden("CORS is not enabled for this bucket.")
    requested = [h.strip() for h in headers.get("Access-Control-Request-Headers", "").split(",")
                 if h.strip()]
    rule = _rule_for(bucket, origin, method, requested)
    if rule is None:
        return _forbidden("This CORS request is not allowed. This is usually because the "
                          "evalution of Origin, request method / Access-Control-Request-Method "
                          "or Access-Control-Request-Headers are not whitelisted by the "
                          "resource's CORS spec.")
    response = Response(status=200, headers=_allow_origin(rule, origin))
    if requested:
        response.headers["Access-Control-Allow-Headers"] = ", ".join(requested)
    return response


def actual_headers(bucket, method, headers):
    """The CORS headers S3 adds to a (non-preflight) response, when an Origin reached it."""
    origin = headers.get("Origin")
    rule = _rule_for(bucket, origin, method, []) if origin and bucket.cors else None
    return _allow_origin(rule, origin) if rule else {}


def _api_rules(configuration):
    """AWS::S3::Bucket CorsConfiguration in the shape moto's set_cors takes."""
    return [{"AllowedMethod": list(r["AllowedMethods"]), "AllowedOrigin": list(r["AllowedOrigins"]),
             "AllowedHeader": list(r.get("AllowedHeaders", [])),
             "ExposeHeader": list(r.get("ExposedHeaders", [])),
             "MaxAgeSeconds": str(r["MaxAge"]) if "MaxAge" in r else None,
             "ID": r.get("Id", "")} for r in configuration.get("CorsRules", [])]


def _apply_cors(bucket, cloudformation_json):
    configuration = cloudformation_json.get("Properties", {}).get("CorsConfiguration")
    if configuration:
        rules = _api_rules(configuration)
        for rule in rules:
            if rule["MaxAgeSeconds"] is None:
                del rule["MaxAgeSeconds"]
        bucket.set_cors(rules)
    else:
        bucket.delete_cors()
    return bucket


_create_bucket = FakeBucket.create_from_cloudformation_json.__func__
_update_bucket = FakeBucket.update_from_cloudformation_json.__func__


def _create_with_cors(cls, resource_name, cloudformation_json, *args, **kwargs):
    return _apply_cors(_create_bucket(cls, resource_name, cloudformation_json, *args, **kwargs),
                       cloudformation_json)


def _update_with_cors(cls, original_resource, new_resource_name, cloudformation_json, *args,
                      **kwargs):
    return _apply_cors(_update_bucket(cls, original_resource, new_resource_name,
                                      cloudformation_json, *args, **kwargs), cloudformation_json)


FakeBucket.create_from_cloudformation_json = classmethod(_create_with_cors)
FakeBucket.update_from_cloudformation_json = classmethod(_update_with_cors)
