"""The edge: a distribution's viewer endpoint at /_edge/<distribution id or domain name>/<path> on
the emulator's own port (no bucket name starts with "_", so it cannot shadow a path-style S3
request).

What it does with a request, following the CloudFront developer guide:
1. Picks the cache behavior: the first whose PathPattern matches the path (`*` any characters,
   `?` one, case-sensitive), else the default behavior. A method the behavior does not allow is
   refused (403).
2. If the behavior trusts key groups, requires a signed URL (query) or signed cookies: the key
   pair id must name a public key in a trusted group as the edge knows the group (a key-group
   change arrives after the propagation delay, cloudfront_account.py); the signature must
   verify over the policy (the canned one rebuilt from Expires and the URL, or the custom one
   from Policy) with the public key, SHA-1 or SHA-256 by Hash-Algorithm, RSA PKCS#1 v1.5 or
   ECDSA; and the policy must allow this URL (Resource wildcards), now (DateLessThan,
   DateGreaterThan) and the client's address (IpAddress). The verification uses Python
   `cryptography`, independent of cfsign's Rust code. The URL is rebuilt from the request as
   received, minus the signing parameters.
3. Runs the behavior's viewer-request CloudFront Function, if any (edge_functions.py): it may
   answer the viewer itself or pass the request on.
4. Forwards to the S3 origin the viewer headers the behavior's origin request policy names
   (the managed CORS-S3Origin policy: Origin, Access-Control-Request-Headers and -Method), and
   the body's Content-Type. An OPTIONS request is answered by the bucket's CORS configuration
   (s3_cors.py). Other methods need what the bucket policy grants the distribution: the request
   is CloudFront's, through its origin access control (principal cloudfront.amazonaws.com,
   AWS:SourceArn the distribution's ARN, over TLS); GET/HEAD need s3:GetObject, PUT/POST
   s3:PutObject, DELETE s3:DeleteObject on arn:aws:s3:::bucket/key. A signature does not cover
   the method, so a validly signed DELETE is refused here when the policy does not grant it.
5. Applies the behavior's response headers policy to what the origin answered
   (response_headers.py).

Refusals are CloudFront's or S3's error XML, naming the reason, with `X-Cache: Error from
CloudFront` (the edge) or `Error from S3` (the origin), so a smoke test can tell "signature
refused" from "origin refused".
"""
import base64
import ipaddress
import json
import time
import uuid
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from moto.cloudfront.models import cloudfront_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from werkzeug.wrappers import Request, Response

import cloudfront_account as account
import edge_functions
import iam_policy
import response_headers
import s3_cors
from iam_policy import wildcard

CLOUDFRONT = "cloudfront.amazonaws.com"

PREFIX = "/_edge/"
SIGNING_PARAMETERS = ("Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm")
S3_ACTIONS = {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject",
              "POST": "s3:PutObject", "DELETE": "s3:DeleteObject"}
# The viewer headers the managed origin request policies forward ("Use managed origin request
# policies", CloudFront developer guide); the managed cache policies cfsign uses
# (CachingOptimized, CachingDisabled) put no header in the cache key.
ORIGIN_REQUEST_POLICIES = {
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf":  # CORS-S3Origin
        ("Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"),
}


class Refused(Exception):
    """A request the edge answers with an error status."""

    def __init__(self, status, code, message, source="CloudFront"):
        super().__init__(message)
        self.status, self.code, self.message, self.source = status, code, message, source

    def response(self):
        headers = {"X-Cache": f"Error from {self.source}"}
        request_id = ""
        if self.source == "S3":
            # S3's REST errors carry the request's id (element and x-amz-request-id header);
            # CloudFront's own refusals do not, which is how a viewer tells them apart.
            request_id = uuid.uuid4().hex[:16].upper()
            headers["x-amz-request-id"] = request_id
            request_id = f"<RequestId>{request_id}</RequestId>"
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{self.code}</Code>"
                f"<Message>{self.message}</Message>{request_id}</Error>")
        return Response(body, status=self.status, content_type="application/xml",
                        headers=headers)


# --- matching ---------------------------------------------------------------------------------

def _path_matches(pattern, path):
    return wildcard("/" + pattern.lstrip("/")).fullmatch(path) is not None


def _behavior(distribution, path):
    config = distribution.distribution_config
    for behavior in (config.CacheBehaviors or {}).get("Items", []) or []:
        if _path_matches(behavior.path_pattern, path):
            return behavior
    return config.DefaultCacheBehavior


def _distribution(backend, name):
    """The distribution a viewer addresses by its id or its cloudfront.net domain name."""
    for distribution in backend.distributions.values():
        if name in (distribution.id, distribution.domain_name):
            return distribution
    raise Refused(404, "NoSuchDistribution", f"No distribution {name}.")


# --- signed URLs ------------------------------------------------------------------------------

def _cf_b64decode(text):
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def _signing_values(request):
    """The signing parameters from the query string, else from the CloudFront-* cookies."""
    query = {name: request.args.get(name) for name in SIGNING_PARAMETERS}
    if query["Signature"] or query["Key-Pair-Id"]:
        return query
    return {name: request.cookies.get(f"CloudFront-{name}") for name in SIGNING_PARAMETERS}


def _viewer_url(request):
    """The URL as the viewer sent it, minus the signing parameters (what a policy names)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or \
        request.full_path
    path, _, query = raw.partition("?")
    kept = [part for part in query.split("&")
            if part and unquote(part.split("=", 1)[0]) not in SIGNING_PARAMETERS]
    url = f"{request.scheme}://{request.host}{path}"
    return url + ("?" + "&".join(kept) if kept else "")


def _trusted_key(backend, behavior, key_pair_id):
    """The PEM of `key_pair_id` in a key group the behavior trusts, as the edge knows them."""
    for group_id in behavior.trusted_key_groups.items:
        group = backend.key_groups.get(group_id)
        keys = account.keys_at_the_edge(group) if group else {}
        if key_pair_id in keys:
            return keys[key_pair_id]
    raise Refused(403, "InvalidKey", f"Key {key_pair_id} is not in a trusted key group.")


def _verify_signature(public_key_pem, message, signature, hash_name):
    algorithm = {"SHA1": hashes.SHA1(), "SHA256": hashes.SHA256()}.get(hash_name)
    if algorithm is None:
        raise Refused(403, "InvalidHashAlgorithm", f"Hash-Algorithm {hash_name} is not valid.")
    key = serialization.load_pem_public_key(public_key_pem.encode())
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(algorithm))
        else:
            raise InvalidSignature()
    except InvalidSignature:
        raise Refused(403, "AccessDenied", "Access denied: the signature does not match.")


def _policy(values, url):
    if values["Policy"]:
        try:
            return _cf_b64decode(values["Policy"])
        except ValueError:
            raise Refused(403, "MalformedPolicy", "Policy is not valid base64.")
    if not values["Expires"]:
        raise Refused(403, "MissingKey", "Missing Expires or Policy.")
    # The canned policy, byte for byte as CloudFront rebuilds it.
    return ('{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%s}}}]}'
            % (url, values["Expires"])).encode()


def _check_policy(policy_bytes, url, client_ip):
    try:
        statement = json.loads(policy_bytes)["Statement"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        raise Refused(403, "MalformedPolicy", "The policy is not a valid policy document.")
    resource = statement.get("Resource", "*")
    if not wildcard(resource).fullmatch(url):
        raise Refused(403, "AccessDenied", "Access denied: the policy does not cover this URL.")
    condition = statement.get("Condition", {})
    now = time.time()
    not_after = condition.get("DateLessThan", {}).get("AWS:EpochTime")
    if not_after is None:
        raise Refused(403, "MalformedPolicy", "The policy has no DateLessThan.")
    if now >= float(not_after):
        raise Refused(403, "AccessDenied", "Access denied: the URL has expired.")
    not_before = condition.get("DateGreaterThan", {}).get("AWS:EpochTime")
    if not_before is not None and now <= float(not_before):
        raise Refused(403, "AccessDenied", "Access denied: the URL is not valid yet.")
    source = condition.get("IpAddress", {}).get("AWS:SourceIp")
    if source and ipaddress.ip_address(client_ip) not in ipaddress.ip_network(source,
                                                                             strict=False):
        raise Refused(403, "AccessDenied", "Access denied: the client address is not allowed.")


def _require_signature(request, backend, behavior):
    values = _signing_values(request)
    if not values["Key-Pair-Id"] or not values["Signature"]:
        raise Refused(403, "MissingKey",
                      "Missing Key-Pair-Id query parameter or cookie value.")
    public_key = _trusted_key(backend, behavior, values["Key-Pair-Id"])
    url = _viewer_url(request)
    policy = _policy(values, url)
    try:
        signature = _cf_b64decode(values["Signature"])
    except ValueError:
        raise Refused(403, "AccessDenied", "Access denied: the signature is not valid base64.")
    _verify_signature(public_key, policy, signature, values["Hash-Algorithm"] or "SHA1")
    _check_policy(policy, url, request.remote_addr or "127.0.0.1")


# --- functions and response headers policies ----------------------------------------------------

def _viewer_request_function(backend, behavior):
    for association in getattr(behavior, "function_items", []):
        if association["EventType"] == "viewer-request":
            return next(f for f in backend.functions.values()
                        if f.arn == association["FunctionARN"])
    return None


def _with_policy(backend, behavior, request, response):
    policy = account.response_headers_policies(backend).get(behavior.response_headers_policy_id)
    return response_headers.apply(policy.config, request, response) if policy else response


# --- the origin ---------------------------------------------------------------------------------

def _origin_headers(request, behavior, function_headers):
    """The viewer headers that reach the origin (a function's changes included)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers.update(function_headers)
    names = ORIGIN_REQUEST_POLICIES.get(behavior.origin_request_policy_id or "", ())
    if request.method in ("PUT", "POST"):
        names += ("Content-Type",)
    return {name: headers[name.lower()] for name in names if name.lower() in headers}


def _authorize(request, distribution, origin, bucket, key):
    action = S3_ACTIONS.get(request.method)
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    context = {"aws:sourcearn": distribution.arn, "aws:securetransport": "true",
               "aws:sourceaccount": DEFAULT_ACCOUNT_ID}
    signed_by_oac = bool(getattr(origin, "origin_access_control_id", ""))
    allowed = action and iam_policy.evaluate(
        iam_policy.service(CLOUDFRONT, DEFAULT_ACCOUNT_ID),
        iam_policy.Request(action, f"arn:aws:s3:::{bucket}/{key}", context),
        iam_policy.ResourcePolicy(s3.buckets[bucket].policy)).allowed
    if not signed_by_oac or not allowed:
        raise Refused(403, "AccessDenied", f"Access Denied ({action or request.method} on "
                                           f"{bucket}/{key} is not granted to the distribution)",
                      "S3")


def _s3(request, bucket, key, headers):
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    if request.method in ("PUT", "POST"):
        stored = s3.put_object(bucket, key, request.get_data())
        if "Content-Type" in headers:
            stored.set_metadata({"Content-Type": headers["Content-Type"]})
        return Response(status=200, headers={"ETag": stored.etag})
    if request.method == "DELETE":
        s3.delete_object(bucket, key)
        return Response(status=204)
    stored = s3.get_object(bucket, key)
    if stored is None:
        raise Refused(404, "NoSuchKey", "The specified key does not exist.", "S3")
    body = b"" if request.method == "HEAD" else stored.value
    return Response(body, status=200, headers={
        "ETag": stored.etag, "Content-Length": str(len(stored.value)),
        "Content-Type": stored.metadata.get("Content-Type", "binary/octet-stream")})


def _forward(request, distribution, behavior, uri, function_headers):
    origins = distribution.distribution_config.Origins["Items"]
    origin = next(o for o in origins if o.id == behavior.target_origin_id)
    bucket = origin.domain_name.split(".s3.")[0]
    key = unquote(uri.lstrip("/"))
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    if bucket not in s3.buckets:
        raise Refused(502, "NoSuchBucket", f"The origin bucket {bucket} does not exist.", "S3")
    headers = _origin_headers(request, behavior, function_headers)
    if request.method == "OPTIONS":
        return s3_cors.preflight(s3.buckets[bucket], headers)
    _authorize(request, distribution, origin, bucket, key)
    response = _s3(request, bucket, key, headers)
    response.headers.extend(s3_cors.actual_headers(s3.buckets[bucket], request.method, headers))
    return response


def _serve(request, backend, distribution, path):
    if not distribution.distribution_config.Enabled:
        raise Refused(403, "DistributionDisabled", "The distribution is disabled.")
    behavior = _behavior(distribution, path)
    if request.method not in behavior.allowed_methods.items:
        raise Refused(403, "MethodNotAllowed", f"{request.method} is not allowed on this behavior.")
    if behavior.trusted_key_groups.items:
        _require_signature(request, backend, behavior)
    uri, function_headers = path, {}
    function = _viewer_request_function(backend, behavior)
    if function is not None:
        outcome = edge_functions.viewer_request(function, request, distribution, path)
        if outcome[0] == "response":
            return outcome[1]
        uri, function_headers = outcome[1], outcome[2]
    try:
        response = _forward(request, distribution, behavior, uri, function_headers)
        response.headers["X-Cache"] = "Miss from cloudfront"
    except Refused as refused:
        if refused.source != "S3":
            raise
        response = refused.response()
    return _with_policy(backend, behavior, request, response)


def serve(request):
    """Answers one viewer request for /_edge/<distribution>/<path> (the path as received)."""
    raw_path = (request.environ.get("RAW_URI") or request.full_path).partition("?")[0]
    name, _, rest = raw_path[len(PREFIX):].partition("/")
    backend = cloudfront_backends[DEFAULT_ACCOUNT_ID]["aws"]
    try:
        return _serve(request, backend, _distribution(backend, name), "/" + rest)
    except Refused as refused:
        return refused.response()


class EdgeApplication:
    """WSGI middleware: /_edge/... goes to the edge, everything else to moto."""

    def __init__(self, moto_app):
        self.moto_app = moto_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return serve(Request(environ))(environ, start_response)
        return self.moto_app(environ, start_response)
