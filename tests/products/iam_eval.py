"""IAM policy evaluation for the static checks, after the IAM User Guide's "Policy evaluation
logic" (same account): an explicit Deny in any policy wins; otherwise an Allow in an identity
policy, or in a resource policy naming the principal, is needed.

Action/NotAction match case-insensitively, Resource/NotResource case-sensitively, both with the
`*` and `?` wildcards. A request for an action without resource types names the resource `*`,
which only `Resource: "*"` matches. Condition operators are those of the IAM User Guide's
"Condition operators" page that our policies use, with ...IfExists, ForAllValues: and
ForAnyValue:; keys are case-insensitive and a missing key makes a positive operator false and a
negated one true. An operator this module does not know raises, so no check ever passes by
ignoring a condition.
"""
import re

ALLOWED, DENIED, IMPLICIT_DENY = "allowed", "explicitly denied", "not allowed"


def as_list(value):
    return value if isinstance(value, list) else [value]


def wildcard(pattern, value, ignore_case=False):
    """IAM's `*` (any run of characters) and `?` (one character) match of a whole value."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.I if ignore_case else 0) is not None


def _string_equals(policy, value):
    return policy == value


def _string_equals_ignore_case(policy, value):
    return policy.lower() == value.lower()


def _string_like(policy, value):
    return wildcard(policy, value)


def _bool(policy, value):
    return str(policy).lower() == str(value).lower()


# Operator -> (value test, negated). ArnLike compares ARNs part by part with wildcards, which
# for our ARNs (no `:` inside a part's wildcard) is the whole-string wildcard match.
OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_string_equals, False),
    "ArnNotEquals": (_string_equals, True),
    "ArnLike": (_string_like, False),
    "ArnNotLike": (_string_like, True),
    "Bool": (_bool, False),
}


def _lookup(context, key):
    for name, value in context.items():
        if name.lower() == key.lower():
            return as_list(value)
    return None


def condition_holds(operator, key, policy_values, context):
    """One key of one operator of a Condition block, against the request context."""
    policy_values = [str(v) for v in as_list(policy_values)]
    values = _lookup(context, key)
    if operator == "Null":
        return (values is None) == (policy_values[0].lower() == "true")
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if operator not in OPERATORS or qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise ValueError(f"condition operator {qualifier}:{operator} is not modelled")
    test, negated = OPERATORS[operator]
    if values is None:
        return qualifier == "ForAllValues" or if_exists or (negated and qualifier == "")

    def one(value):
        hit = any(test(p, str(value)) for p in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    return any(one(v) for v in values)


def conditions_hold(conditions, context):
    return all(condition_holds(operator, key, values, context)
               for operator, block in (conditions or {}).items()
               for key, values in block.items())


def _matches_any(patterns, value, ignore_case=False):
    return any(wildcard(p, value, ignore_case) for p in as_list(patterns))


def principal_matches(statement, principal):
    """Whether a resource-policy statement names `principal` (a role ARN); identity-policy
    statements name none and always apply to their holder."""
    if "Principal" not in statement:
        return "NotPrincipal" not in statement
    named = statement["Principal"]
    if named == "*":
        return True
    return principal in as_list(named.get("AWS", [])) if isinstance(named, dict) else False


def applies(statement, action, resource, context, principal=None):
    """Whether `statement` covers the request (its Effect aside)."""
    if "Action" in statement:
        if not _matches_any(statement["Action"], action, ignore_case=True):
            return False
    elif _matches_any(statement["NotAction"], action, ignore_case=True):
        return False
    if "Resource" in statement:
        if not _matches_any(statement["Resource"], resource):
            return False
    elif "NotResource" in statement and _matches_any(statement["NotResource"], resource):
        return False
    if principal is not None and not principal_matches(statement, principal):
        return False
    return conditions_hold(statement.get("Condition"), context)


def decide(identity, resource_policies, action, resource, context, principal):
    """ALLOWED, DENIED or IMPLICIT_DENY for `principal` calling `action` on `resource`, given
    its identity policy documents and the resource's policy documents."""
    held = [(s, None) for d in identity for s in as_list(d["Statement"])]
    held += [(s, principal) for d in resource_policies for s in as_list(d["Statement"])]
    matching = [s for s, p in held if applies(s, action, resource, context, p)]
    if any(s["Effect"] == "Deny" for s in matching):
        return DENIED
    return ALLOWED if any(s["Effect"] == "Allow" for s in matching) else IMPLICIT_DENY
