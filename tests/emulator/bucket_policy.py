"""Bucket policy evaluation for the emulator, per the IAM policy evaluation logic: an explicit
Deny wins, else an Allow grants, else the policy is silent. Used by the edge (requests made by
CloudFront's service principal through an origin access control) and by moto's S3 for requests
made with account credentials.

moto 5.2.5 got two things wrong that cfsign's bucket policy hits: a statement whose condition
does not hold counted as a Deny (so the policy's conditional Allow for the distribution denied
everyone), and operators other than StringEquals were ignored, so the `Bool
aws:SecureTransport false` Deny applied to every request. Requests to the emulator count as
made over TLS: it stands in for AWS's HTTPS endpoints.
"""
import json
import re

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

CLOUDFRONT = "cloudfront.amazonaws.com"


def as_list(value):
    return value if isinstance(value, list) else [value]


def wildcard(pattern):
    """IAM and CloudFront wildcards as a regular expression: `*` any characters, `?` one."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern), re.DOTALL)


def matches_any(patterns, value, case_sensitive=True):
    flags = 0 if case_sensitive else re.IGNORECASE
    return any(re.fullmatch(wildcard(p).pattern, value, flags) for p in as_list(patterns))


def _principal_matches(principal, caller_service):
    """Whether a statement's Principal covers the caller: CloudFront's service principal when
    caller_service is set, else an identity of the bucket's own account."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if caller_service:
        return caller_service in as_list(principal.get("Service", []))
    return any(p == "*" or ":iam::" in p for p in as_list(principal.get("AWS", [])))


def _condition_holds(condition, context):
    """The operators cfsign's policies use; an operator not known here does not hold."""
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = context.get(key.lower())
            expected = [str(e).lower() if operator == "Bool" else str(e)
                        for e in as_list(expected)]
            if operator in ("StringEquals", "ArnEquals", "Bool"):
                holds = actual is not None and actual in expected
            elif operator in ("StringNotEquals", "ArnNotEquals"):
                holds = actual is None or actual not in expected
            elif operator in ("StringLike", "ArnLike"):
                holds = actual is not None and matches_any(expected, actual)
            elif operator in ("StringNotLike", "ArnNotLike"):
                holds = actual is None or not matches_any(expected, actual)
            else:
                holds = False
            if not holds:
                return False
    return True


def evaluate(policy_text, action, resource, context, caller_service=None):
    """"Deny", "Allow" or None (the policy says nothing) for one request. `context` holds
    condition keys in lower case, e.g. {"aws:sourcearn": ..., "aws:securetransport": "true"}."""
    if not policy_text:
        return None
    verdict = None
    for statement in as_list(json.loads(policy_text).get("Statement", [])):
        applies = (_principal_matches(statement.get("Principal"), caller_service)
                   and matches_any(statement.get("Action", []), action, case_sensitive=False)
                   and matches_any(statement.get("Resource", []), resource)
                   and _condition_holds(statement.get("Condition", {}), context))
        if applies and statement.get("Effect") == "Deny":
            return "Deny"
        if applies and statement.get("Effect") == "Allow":
            verdict = "Allow"
    return verdict


def _bucket_permission(self, action, resource):
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
    verdict = evaluate(policy, action, resource, {"aws:securetransport": "true"})
    return {"Deny": PermissionResult.DENIED,
            "Allow": PermissionResult.PERMITTED}.get(verdict, PermissionResult.NEUTRAL)


FakeBucket.get_permission = _bucket_permission
