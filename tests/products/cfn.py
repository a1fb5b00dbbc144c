"""Reads product templates and resolves them for given parameters, the way CloudFormation would
decide what exists: conditions, Fn::If, AWS::NoValue and conditional resources and outputs.

Intrinsics that need a deployed stack (Fn::Sub, Fn::GetAtt, Ref of a resource or a pseudo
parameter) are left as they are, unless `names` gives the values a deployed stack would have
(`AWS::Region`, `Bucket`, `Bucket.Arn`, ...): then they are substituted.
"""
import re
from pathlib import Path

from cfnlint.decode import decode

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = REPO / "products"
NO_VALUE = object()
SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def load(product):
    """The template of `product` (a folder under products/, or a template's path) as plain
    dicts and lists."""
    path = product if isinstance(product, Path) else PRODUCTS / product / "template.yaml"
    template, matches = decode(str(path))
    assert not matches, f"{product}: {matches}"
    return template


class Resolved:
    """A template with its parameters applied: the resources and outputs that would exist."""

    def __init__(self, template, parameters, names=None):
        self.template = template
        self.names = names or {}
        self.values = {}
        for name, spec in template.get("Parameters", {}).items():
            if name in parameters:
                self.values[name] = parameters[name]
            elif "Default" in spec:
                self.values[name] = spec["Default"]
            else:
                raise KeyError(f"required parameter {name} not given")
            if spec["Type"] == "CommaDelimitedList" and isinstance(self.values[name], str):
                self.values[name] = self.values[name].split(",")
        unknown = set(parameters) - set(self.values)
        assert not unknown, f"unknown parameters {unknown}"
        self._conditions = {}
        self.resources = {
            logical_id: self.evaluate(resource)
            for logical_id, resource in template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }
        self.outputs = {
            name: self.evaluate(output["Value"])
            for name, output in template.get("Outputs", {}).items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    def condition(self, name):
        if name not in self._conditions:
            self._conditions[name] = bool(self.evaluate(self.template["Conditions"][name]))
        return self._conditions[name]

    def properties(self, logical_id):
        return self.resources[logical_id].get("Properties", {})

    def evaluate(self, node):
        if isinstance(node, list):
            items = [self.evaluate(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                if arg == "AWS::NoValue":
                    return NO_VALUE
                if arg in self.values:
                    return self.values[arg]
                return self.names.get(arg, {"Ref": arg})
            if key == "Fn::GetAtt":
                name = ".".join(arg) if isinstance(arg, list) else arg
                return self.names.get(name, {"Fn::GetAtt": arg})
            if key == "Fn::Sub":
                return self.substitute(arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.evaluate(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = (self.evaluate(a) for a in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.evaluate(arg[0])
            if key == "Fn::And":
                return all(self.evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(self.evaluate(a) for a in arg)
            if key == "Fn::Join":
                separator, items = arg[0], self.evaluate(arg[1])
                if isinstance(items, list) and all(isinstance(i, str) for i in items):
                    return separator.join(items)
        result = {}
        for key, value in node.items():
            value = self.evaluate(value)
            if value is not NO_VALUE:
                result[key] = value
        return result

    def substitute(self, arg):
        """Fn::Sub with every variable known (only with `names`), else the Fn::Sub as it is."""
        if not self.names:
            return {"Fn::Sub": arg}
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.evaluate(arg[1]))
        known = {**self.names, **{k: v for k, v in self.values.items() if isinstance(v, str)},
                 **variables}
        names = SUB_VARIABLE.findall(text)
        if not all(isinstance(known.get(name), str) for name in names):
            return {"Fn::Sub": arg}
        return SUB_VARIABLE.sub(lambda m: known[m.group(1)], text).replace("${!", "${")
