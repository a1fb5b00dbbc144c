"""CloudFormation's parameter constraints, checked before a stack is created or updated
(moto 5.2.5 checked none): a value outside its parameter's AllowedPattern (the whole value; each
member of a CommaDelimitedList) or AllowedValues refuses CreateStack / UpdateStack with
ValidationError, and no stack is made or changed.

Sources: CloudFormation User Guide, "Parameters" (parameters-section-structure.html:
AllowedPattern "A regular expression that represents the patterns to allow for String or
CommaDelimitedList types. When applied on parameters of type String, the pattern must match the
entire parameter value provided. When applied to a parameter of type CommaDelimitedList, the
pattern must match each value in the list"; AllowedValues likewise; ConstraintDescription "A
string that explains a constraint when the constraint is violated"). The messages as
CloudFormation returns them: "Parameter 'P' must match pattern X" (bonusbits/
cloudformation_templates#6), "Parameter 'P' must be one of AllowedValues"
(aws-amplify/amplify-cli#6224), and with a ConstraintDescription "Parameter P failed to satisfy
constraint: DESCRIPTION" (aws/aws-cli#7750, aws-ia/taskcat#627).

The template's own Rules section is evaluated next, with the values the stack would take
(CloudFormation User Guide, "Rules" (rules-section-structure.html): rule functions "validate
parameter values before CloudFormation creates or updates any resources"; "If a parameter value
isn't valid, CloudFormation doesn't create or update the stack. If the condition evaluates to
false, CloudFormation doesn't check the parameter value"); a false assertion refuses the call
with ValidationError carrying its AssertDescription. The rule language is Service Catalog's
template constraint language (servicecatalog/rules.py evaluates both).

Not modelled: MinLength, MaxLength, MinValue, MaxValue; AWS-specific parameter types.
"""
import regex
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack

from servicecatalog import rules

LIST_TYPES = ("CommaDelimitedList",)


def _is_list(spec):
    return spec.get("Type") in LIST_TYPES or str(spec.get("Type", "")).startswith("List<")


def _members(spec, value):
    if _is_list(spec):
        return value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
    return [value]


def _violation(name, spec, value):
    """CloudFormation's message for the first constraint `value` breaks, or None."""
    pattern, allowed = spec.get("AllowedPattern"), spec.get("AllowedValues")
    for member in _members(spec, value):
        text = str(member)
        if pattern is not None and not regex.fullmatch(pattern, text):
            reason = f"Parameter '{name}' must match pattern {pattern}"
        elif allowed is not None and text not in [str(a) for a in allowed]:
            reason = f"Parameter '{name}' must be one of AllowedValues"
        else:
            continue
        description = spec.get("ConstraintDescription")
        return f"Parameter {name} failed to satisfy constraint: {description}" \
            if description else reason
    return None


def check(template, values):
    """Raises ValidationError when a parameter value breaks its constraints; `values` are the
    given ones (a parameter left out takes its Default, which CloudFormation checks too)."""
    parsed = Stack.parse_template(template) if isinstance(template, str) else template
    declared = parsed.get("Parameters") or {}
    resolved = {}
    for name, spec in declared.items():
        value = values.get(name, spec.get("Default"))
        if value is None:
            continue  # missing: moto's own "Parameters: [P] must have values"
        message = _violation(name, spec, value)
        if message:
            raise ValidationError(name, message=message)
        resolved[name] = _members(spec, value) if _is_list(spec) else value
    try:
        rules.check(parsed.get("Rules"), resolved)
    except rules.RuleError as failure:
        raise ValidationError(None, message=str(failure))


_moto_create_stack = CloudFormationBackend.create_stack
_moto_update_stack = CloudFormationBackend.update_stack


def _create_stack_checked(self, name, template, parameters, *args, **kwargs):
    check(template, parameters or {})
    return _moto_create_stack(self, name, template, parameters, *args, **kwargs)


def _update_stack_checked(self, name, template, role_arn, parameters, tags):
    stack = self.get_stack(name)
    check(template or stack.template,
          self._resolve_update_parameters(instance=stack, incoming_params=parameters))
    return _moto_update_stack(self, name, template, role_arn, parameters, tags)


CloudFormationBackend.create_stack = _create_stack_checked
CloudFormationBackend.update_stack = _update_stack_checked
