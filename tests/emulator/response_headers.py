"""A response headers policy, applied by the edge to the responses of the behaviors it is
attached to, as the CloudFront developer guide's "Understand response headers policies" page
describes (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/
understanding-response-headers-policies.html):

- remove headers first, then add the others;
- security headers (Strict-Transport-Security, X-Content-Type-Options: nosniff,
  X-Frame-Options, Referrer-Policy, Content-Security-Policy, X-XSS-Protection) and custom
  headers: with Override the policy's value replaces the origin's, without it the origin's
  stays, and a header the origin did not send is always added;
- CORS, for a request with an Origin the policy allows (a listed origin, `*`, or `*.domain`):
  Access-Control-Allow-Origin, -Allow-Credentials when set, on a preflight (OPTIONS with
  Access-Control-Request-Method) -Allow-Methods, -Allow-Headers and -Max-Age, otherwise
  -Expose-Headers; OriginOverride decides between the policy's and the origin's, as above.

The policy is CloudFormation's ResponseHeadersPolicyConfig or the API's (lists under `Items`
either way). The edge applies it to what the origin answers ("CloudFront modifies the headers
in the responses that it serves from the cache and the ones that it forwards from the origin",
"Adding or removing HTTP headers in CloudFront responses").
"""
import re

ALL_METHODS = ["GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def _items(section, name):
    return list((section.get(name) or {}).get("Items") or [])


def _set(response, name, value, override):
    if override or name not in response.headers:
        response.headers[name] = value


def _security(response, config):
    hsts = config.get("StrictTransportSecurity")
    if hsts:
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        value += "; includeSubDomains" if _true(hsts.get("IncludeSubdomains")) else ""
        value += "; preload" if _true(hsts.get("Preload")) else ""
        _set(response, "Strict-Transport-Security", value, _true(hsts.get("Override")))
    simple = {"ContentTypeOptions": ("X-Content-Type-Options", lambda c: "nosniff"),
              "FrameOptions": ("X-Frame-Options", lambda c: c["FrameOption"]),
              "ReferrerPolicy": ("Referrer-Policy", lambda c: c["ReferrerPolicy"]),
              "ContentSecurityPolicy": ("Content-Security-Policy",
                                        lambda c: c["ContentSecurityPolicy"]),
              "XSSProtection": ("X-XSS-Protection", _xss)}
    for key, (header, value) in simple.items():
        if config.get(key):
            _set(response, header, value(config[key]), _true(config[key].get("Override")))


def _xss(config):
    value = "1" if _true(config.get("Protection")) else "0"
    if _true(config.get("ModeBlock")):
        value += "; mode=block"
    if config.get("ReportUri"):
        value += f"; report={config['ReportUri']}"
    return value


def _true(value):
    return str(value).lower() == "true"


def _origin_allowed(allowed, origin):
    """A listed origin, `*`, or one whose leftmost domain label is `*` (with or without a
    scheme: `*.example.org`, `https://*.example.org`)."""
    for pattern in allowed:
        if pattern in ("*", origin):
            return True
        if "*" in pattern:
            scheme = "" if "://" in pattern else "[a-z]+://"
            regex = scheme + re.escape(pattern).replace(r"\*", "[^./]+")
            if re.fullmatch(regex, origin, re.I):
                return True
    return False


def _cors(response, cors, request):
    origin = request.headers.get("Origin")
    allowed = _items(cors, "AccessControlAllowOrigins")
    if not origin or not _origin_allowed(allowed, origin):
        return
    override = _true(cors.get("OriginOverride"))
    _set(response, "Access-Control-Allow-Origin", "*" if "*" in allowed else origin, override)
    if _true(cors.get("AccessControlAllowCredentials")):
        _set(response, "Access-Control-Allow-Credentials", "true", override)
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        methods = _items(cors, "AccessControlAllowMethods")
        methods = ALL_METHODS if "ALL" in methods else methods
        _set(response, "Access-Control-Allow-Methods", ", ".join(methods), override)
        _set(response, "Access-Control-Allow-Headers",
             ", ".join(_items(cors, "AccessControlAllowHeaders")), override)
        if cors.get("AccessControlMaxAgeSec") is not None:
            _set(response, "Access-Control-Max-Age", str(cors["AccessControlMaxAgeSec"]),
                 override)
    elif _items(cors, "AccessControlExposeHeaders"):
        _set(response, "Access-Control-Expose-Headers",
             ", ".join(_items(cors, "AccessControlExposeHeaders")), override)


def apply(config, request, response):
    """`response` with the policy `config` applied for `request`."""
    for removed in (config.get("RemoveHeadersConfig") or {}).get("Items") or []:
        response.headers.pop(removed["Header"], None)
    if config.get("CorsConfig"):
        _cors(response, config["CorsConfig"], request)
    if config.get("SecurityHeadersConfig"):
        _security(response, config["SecurityHeadersConfig"])
    for custom in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        _set(response, custom["Header"], custom.get("Value", ""), _true(custom.get("Override")))
    return response
