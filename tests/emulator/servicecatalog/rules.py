"""Template constraint rules, evaluated against a launch's or an update's parameter values as
AWS evaluates them before the stack is created or updated; CloudFormation's own template Rules
section is the same language (cfn_parameters.py evaluates it with this module).

Sources: Service Catalog Administrator Guide, "Template Constraint Rules"
(servicecatalog/latest/adminguide/reference-template_constraint_rules.html: a rule has an
optional RuleCondition and Assertions; when the condition is false the rule does not apply;
a failing assertion stops the stack operation) and "AWS Service Catalog Rule Functions"
(intrinsic-function-reference-rules.html: Fn::And, Fn::Or (2..10 conditions), Fn::Not,
Fn::Equals, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Ref). A failing assertion's
error is its AssertDescription, as CloudFormation's ValidationError carries it.

Not modelled: Fn::ValueOf, Fn::ValueOfAll and Fn::RefAll (they read AWS-specific parameter
types' attributes from the account); a rule using them fails with a message saying so.
"""


class RuleError(Exception):
    """A rule that does not hold (or cannot be evaluated): the message is what AWS reports."""


def _value(node, values):
    if isinstance(node, dict) and len(node) == 1:
        (name, argument), = node.items()
        if name == "Ref":
            if argument not in values:
                raise RuleError(f"Template constraint refers to parameter {argument}, which "
                                "the template does not declare.")
            return values[argument]
        return _call(name, argument, values)
    if isinstance(node, list):
        return [_value(item, values) for item in node]
    return node


def _strings(value):
    return value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]


def _conditions(name, argument, values):
    if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
        raise RuleError(f"{name} takes 2 to 10 conditions.")
    return [_value(a, values) for a in argument]


def _call(name, argument, values):
    if name == "Fn::And":
        return all(_conditions(name, argument, values))
    if name == "Fn::Or":
        return any(_conditions(name, argument, values))
    if name == "Fn::Not":
        return not _value(argument[0], values)
    listed, value = (_value(argument[0], values), _value(argument[1], values)) \
        if isinstance(argument, list) and len(argument) == 2 else (None, None)
    if name == "Fn::Equals":
        return str(listed) == str(value)
    if name == "Fn::Contains":
        return str(value) in [str(v) for v in listed]
    if name == "Fn::EachMemberEquals":
        return all(str(v) == str(value) for v in _strings(listed))
    if name == "Fn::EachMemberIn":
        return all(str(v) in [str(x) for x in value] for v in _strings(listed))
    raise RuleError(f"The emulator does not evaluate the rule function {name}.")


def check(rules, values):
    """Raises RuleError with the first failing assertion's AssertDescription, if any."""
    for name, rule in (rules or {}).items():
        condition = rule.get("RuleCondition")
        if condition is not None and not _value(condition, values):
            continue
        for assertion in rule.get("Assertions") or []:
            if not _value(assertion.get("Assert"), values):
                raise RuleError(assertion.get("AssertDescription")
                                or f"Template constraint rule {name} failed.")
