"""IAM policy evaluation for the emulator: one engine for every policy it enforces (identity
policies, permissions boundaries, secret, bucket, KMS key and role trust policies) and for the
edge (CloudFront's origin access control reaching S3).

It implements, for requests within one account, the IAM User Guide's policy evaluation logic
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny in any policy wins; else an Allow is needed, from an identity-based policy (and
then from the permissions boundary too, when there is one) or from a resource-based policy,
whose effect depends on the principal it names: a user or role-session ARN (or "*") grants
directly, a role ARN grants within the boundary, the account (root ARN or id) only delegates to
IAM. KMS key policies and role trust policies must allow the request themselves. The account
root has every identity-based permission but is still subject to explicit Denies.

Policy grammar (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):
Action/NotAction (case-insensitive, `*` and `?`), Resource/NotResource (`*`, `?`, policy
variables `${key}`), Principal/NotPrincipal ("*", AWS account ids and ARNs, service
principals), Condition with the operators of reference_policies_elements_condition_operators:
String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals/Like, Bool, BinaryEquals, Null,
Numeric*, Date*, (Not)IpAddress, each with ...IfExists, and the ForAnyValue:/ForAllValues: set
operators. Several operators or keys must all hold; several values of one key are alternatives.
"""
import base64
import datetime
import ipaddress
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

# --- matching ------------------------------------------------------------------------------------


def as_list(value):
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4096)
def wildcard(pattern, ignore_case=False):
    """IAM (and CloudFront) wildcards as a compiled regular expression: `*` any characters, `?`
    one."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def like(pattern, value, ignore_case=False):
    return wildcard(pattern, ignore_case).fullmatch(value) is not None


def arn_like(pattern, value):
    """ArnLike/ArnEquals: each of the six colon-separated parts matched on its own
    (reference_policies_elements_condition_operators.html#Conditions_ARN); the resource part
    keeps its colons."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return pattern == "*" or like(pattern, value)
    return all(like(p, v) for p, v in zip(pattern_parts, value_parts))


_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


def substitute(text, context):
    """Policy variables (reference_policies_variables.html): `${aws:username}` becomes the
    request's value; a key the request lacks makes the string match nothing."""
    if "${" not in text:
        return text

    def value(match):
        key = match.group(1)
        if key in _SPECIAL:
            return _SPECIAL[key]
        found = context.get(key.lower())
        if found is None or isinstance(found, list):
            raise LookupError(key)
        return str(found)

    try:
        return _VARIABLE.sub(value, text)
    except LookupError:
        return None


# --- conditions ----------------------------------------------------------------------------------


def _number(text):
    return float(text)


def _date(text):
    text = str(text)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _network(text):
    return ipaddress.ip_network(str(text), strict=False)


def _in_network(value, network):
    try:
        return ipaddress.ip_address(value) in _network(network)
    except ValueError:
        return False


def _converted(convert, compare):
    def test(value, expected):
        try:
            return compare(convert(value), convert(expected))
        except (TypeError, ValueError):
            return False
    return test


# Each base operator: (test of one request value against one policy value, negated?). A negated
# operator holds when the value matches none of the policy's values.
_OPERATORS = {
    "StringEquals": (lambda v, e: v == e, False),
    "StringNotEquals": (lambda v, e: v == e, True),
    "StringEqualsIgnoreCase": (lambda v, e: v.lower() == e.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, e: v.lower() == e.lower(), True),
    "StringLike": (lambda v, e: like(e, v), False),
    "StringNotLike": (lambda v, e: like(e, v), True),
    "ArnEquals": (lambda v, e: arn_like(e, v), False),
    "ArnLike": (lambda v, e: arn_like(e, v), False),
    "ArnNotEquals": (lambda v, e: arn_like(e, v), True),
    "ArnNotLike": (lambda v, e: arn_like(e, v), True),
    "Bool": (lambda v, e: v.lower() == e.lower(), False),
    "BinaryEquals": (lambda v, e: base64.b64decode(e) == v.encode(), False),
    "NumericEquals": (_converted(_number, lambda a, b: a == b), False),
    "NumericNotEquals": (_converted(_number, lambda a, b: a == b), True),
    "NumericLessThan": (_converted(_number, lambda a, b: a < b), False),
    "NumericLessThanEquals": (_converted(_number, lambda a, b: a <= b), False),
    "NumericGreaterThan": (_converted(_number, lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_converted(_number, lambda a, b: a >= b), False),
    "DateEquals": (_converted(_date, lambda a, b: a == b), False),
    "DateNotEquals": (_converted(_date, lambda a, b: a == b), True),
    "DateLessThan": (_converted(_date, lambda a, b: a < b), False),
    "DateLessThanEquals": (_converted(_date, lambda a, b: a <= b), False),
    "DateGreaterThan": (_converted(_date, lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_converted(_date, lambda a, b: a >= b), False),
    "IpAddress": (_in_network, False),
    "NotIpAddress": (_in_network, True),
}


def known_operator(name):
    """Whether the engine understands a condition operator (with its qualifiers)."""
    _, _, base = name.rpartition(":")
    base = base[:-len("IfExists")] if base.endswith("IfExists") else base
    return base in _OPERATORS or base == "Null"


def _matches_one(test, negated, value, expected):
    hit = any(test(str(value), str(e)) for e in expected)
    return not hit if negated else hit


def _key_holds(operator, values, expected, context):
    """One key of one operator. `values` is the request's value(s) for the key or None."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base[:-len("IfExists")] if if_exists else base
    if base == "Null":
        absent = values is None or values == []
        return any(str(e).lower() == ("true" if absent else "false") for e in expected)
    if base not in _OPERATORS:
        return False  # an operator IAM does not know never matches
    test, negated = _OPERATORS[base]
    expected = [substitute(str(e), context) for e in expected]
    expected = [e for e in expected if e is not None]
    if values is None:
        # reference_policies_elements_condition_operators.html: a missing key does not match,
        # so a negated operator holds; ...IfExists holds; on an empty set ForAllValues holds
        # and ForAnyValue does not (no value satisfies it).
        if qualifier:
            return if_exists or qualifier == "ForAllValues"
        return if_exists or negated
    values = as_list(values)
    if qualifier == "ForAllValues":
        return all(_matches_one(test, negated, v, expected) for v in values)
    if qualifier == "ForAnyValue" or len(values) != 1:
        return any(_matches_one(test, negated, v, expected) for v in values)
    return _matches_one(test, negated, values[0], expected)


def conditions_hold(condition, context):
    """Every operator and every key must hold (condition keys are case-insensitive)."""
    return all(_key_holds(operator, context.get(key.lower()), as_list(expected), context)
               for operator, tests in (condition or {}).items()
               for key, expected in tests.items())


# --- principals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who makes a request. `arn` is what error messages name (an assumed-role session's ARN);
    `principal_arn` is aws:PrincipalArn (the role's ARN, with its path); `session_arn` is set
    for role sessions; `service` for a service principal (e.g. cloudfront.amazonaws.com)."""
    kind: str  # "root", "user", "role-session", "service"
    arn: str
    account: str
    principal_arn: str = ""
    identity_policies: tuple = ()
    boundary: object = None
    service: str = ""

    @property
    def is_root(self):
        return self.kind == "root"


def root(account):
    arn = f"arn:aws:iam::{account}:root"
    return Principal("root", arn, account, principal_arn=arn)


def service(name, account):
    return Principal("service", name, account, service=name)


# How a resource-based policy's Principal names the caller (evaluation-logic page, "Resource-based
# policies and implicit denies in other policy types (same account)").
DIRECT, ROLE, ACCOUNT = "direct", "role", "account"


def _names(entry, principal):
    """How one Principal entry (already split by type) names the caller, or None."""
    kind, value = entry
    if value == "*" and kind in ("*", "AWS"):
        return DIRECT
    if kind == "Service":
        return DIRECT if principal.service and value == principal.service else None
    if kind != "AWS" or principal.kind == "service":
        return None
    if value in (principal.account, f"arn:aws:iam::{principal.account}:root"):
        return DIRECT if principal.is_root else ACCOUNT
    if principal.kind == "role-session" and value == principal.arn:
        return DIRECT
    if principal.kind == "role-session" and value == principal.principal_arn:
        return ROLE
    if principal.kind == "user" and value == principal.arn:
        return DIRECT
    return None


def _entries(block):
    if block == "*":
        return [("*", "*")]
    if not isinstance(block, dict):
        return []
    return [(kind, value) for kind, values in block.items() for value in as_list(values)]


_STRENGTH = {DIRECT: 3, ROLE: 2, ACCOUNT: 1}


def principal_match(statement, principal):
    """How a resource-policy statement's Principal (or NotPrincipal) covers the caller: DIRECT,
    ROLE, ACCOUNT or None."""
    if "NotPrincipal" in statement:
        named = [_names(e, principal) for e in _entries(statement["NotPrincipal"])]
        return None if any(named) else DIRECT
    named = [n for n in (_names(e, principal) for e in _entries(statement.get("Principal")))
             if n]
    return max(named, key=_STRENGTH.get) if named else None


# --- statements ----------------------------------------------------------------------------------


def _element_matches(statement, name, value, match, absent=False):
    """Action/NotAction or Resource/NotResource against one value; `absent` when the statement
    has neither."""
    if name in statement:
        return any(match(p, value) for p in as_list(statement[name]))
    negated = "Not" + name
    if negated in statement:
        return not any(match(p, value) for p in as_list(statement[negated]))
    return absent


def _resource_pattern_matches(pattern, resource, context):
    pattern = substitute(pattern, context)
    return pattern is not None and (pattern == "*" or like(pattern, resource))


def statement_applies(statement, request):
    """Action, Resource and Condition of one statement against the request (not Principal)."""
    return (_element_matches(statement, "Action", request.action,
                             lambda p, v: like(p, v, ignore_case=True))
            # A role trust policy names no Resource: it is about the role it is attached to.
            and _element_matches(statement, "Resource", request.resource,
                                 lambda p, v: _resource_pattern_matches(p, v, request.context),
                                 absent=True)
            and conditions_hold(statement.get("Condition"), request.context))


def statements(policy):
    """The statements of a policy document (a dict or JSON text); none for no policy."""
    if not policy:
        return []
    document = json.loads(policy) if isinstance(policy, (str, bytes)) else policy
    return as_list(document.get("Statement", []))


def _effects(policy, request, principal=None):
    """(denied, granted) for one policy. For identity policies (no principal given) granted is
    True when a statement allows; for resource policies it is the strongest way an allowing
    statement names the caller (DIRECT, ROLE, ACCOUNT), or None."""
    denied, grants = False, []
    for statement in statements(policy):
        match = True if principal is None else principal_match(statement, principal)
        if not match or not statement_applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            denied = True
        elif statement.get("Effect") == "Allow":
            grants.append(match)
    return denied, max(grants, key=lambda g: _STRENGTH.get(g, 0), default=None)


# --- decisions -----------------------------------------------------------------------------------


@dataclass
class Request:
    """One authorization question. `context` holds condition keys in lower case."""
    action: str
    resource: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # for refusals, the clause AWS appends to its AccessDenied message

    def message(self, principal, request, quote_resource=False):
        """AWS's wording (IAM User Guide, troubleshoot_access-denied.html)."""
        resource = f'"{request.resource}"' if quote_resource else request.resource
        # An action without resource-level permissions names no resource.
        on = f" on resource: {resource}" if request.resource not in ("", "*") else ""
        return f"User: {principal.arn} is not authorized to perform: {request.action}{on} " \
               f"{self.reason}"


ALLOW = Decision(True)


def _deny(kind):
    return Decision(False, f"with an explicit deny in {kind}")


def _implicit(kind, action):
    return Decision(False, f"because no {kind} allows the {action} action")


@dataclass(frozen=True)
class ResourcePolicy:
    """A resource-based policy and whether it must allow the request itself (KMS key policies,
    role trust policies) rather than only being able to."""
    document: object
    required: bool = False
    kind: str = "resource-based policy"


def evaluate(principal, request, resource_policy=None):
    """The decision for one request within the principal's account."""
    resource = resource_policy or ResourcePolicy(None)
    identity = [_effects(p, request) for p in principal.identity_policies]
    boundary = _effects(principal.boundary, request) if principal.boundary else (False, True)
    granted_by_resource = _effects(resource.document, request, principal)
    if any(denied for denied, _ in identity):
        return _deny("an identity-based policy")
    if resource.document and granted_by_resource[0]:
        return _deny(f"a {resource.kind}")
    if boundary[0]:
        return _deny("a permissions boundary")
    identity_allows = principal.is_root or any(allowed for _, allowed in identity)
    within_boundary = boundary[1] is not None
    grant = granted_by_resource[1]
    if grant == DIRECT:
        return ALLOW
    if grant == ROLE:
        return ALLOW if within_boundary else _implicit("permissions boundary", request.action)
    if resource.required and grant is None:
        return _implicit(resource.kind, request.action)
    if principal.kind == "service":
        return _implicit(resource.kind, request.action)
    if not identity_allows:
        return _implicit("identity-based policy", request.action)
    if not within_boundary:
        return _implicit("permissions boundary", request.action)
    return ALLOW
