"""The static IAM checks evaluate policies with the emulator's engine (tests/emulator/
iam_policy.py: the IAM User Guide's policy evaluation logic, pure Python), loaded by path, so
the products are judged by the same rules as every request the emulator answers.

`decide` asks one question of it: may the role `principal` (a role ARN, acting as a session of
that role) call `action` on `resource`, given its identity policy documents, the resource's
policy documents and the request's condition keys? An operator the engine does not know raises,
so no check passes by ignoring a condition.
"""
import importlib.util
import sys

from cfn import REPO

ALLOWED, DENIED, IMPLICIT_DENY = "allowed", "explicitly denied", "not allowed"


def _load(name, path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


iam_policy = _load("iam_policy", REPO / "tests" / "emulator" / "iam_policy.py")
as_list = iam_policy.as_list


def wildcard(pattern, value):
    """IAM's `*` and `?` match of a whole value (case-sensitive, as for resources)."""
    return iam_policy.like(pattern, value)


def _check_operators(documents):
    for document in documents:
        for statement in as_list(document.get("Statement", [])):
            for operator in statement.get("Condition") or {}:
                if not iam_policy.known_operator(operator):
                    raise ValueError(f"condition operator {operator} is not modelled")


def _session(role_arn, identity):
    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[-1]
    return iam_policy.Principal("role-session", f"arn:aws:sts::{account}:assumed-role/{name}/check",
                                account, principal_arn=role_arn,
                                identity_policies=tuple(identity))


def decide(identity, resource_policies, action, resource, context, principal):
    """ALLOWED, DENIED or IMPLICIT_DENY for the role `principal` calling `action` on `resource`,
    given its identity policy documents and the resource's policy documents."""
    _check_operators(list(identity) + list(resource_policies))
    statements = [s for d in resource_policies for s in as_list(d["Statement"])]
    merged = {"Version": "2012-10-17", "Statement": statements} if statements else None
    request = iam_policy.Request(action, resource, {k.lower(): v for k, v in context.items()})
    decision = iam_policy.evaluate(_session(principal, identity), request,
                                   iam_policy.ResourcePolicy(merged))
    if decision.allowed:
        return ALLOWED
    return DENIED if decision.reason.startswith("with an explicit deny") else IMPLICIT_DENY
