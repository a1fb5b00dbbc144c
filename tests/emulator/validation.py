"""Request validation against the service models: every AWS API request is checked against its
operation's input shape in botocore's model before moto sees it, and refused as AWS refuses it.

The rules, all read from the model (no per-operation code), recursively through structures,
lists and maps:
- required members present ("Member must not be null");
- number ranges (`min`/`max` of integer, long, float, double shapes);
- lengths (`min`/`max`): strings in characters, blobs in bytes, lists and maps in entries;
- patterns: the models' Java regular expressions (java.util.regex, matched against the whole
  value), translated by `java_pattern`;
- enums (`enum` of string shapes), where the service enforces them (see ENFORCEMENT).

How AWS refuses, per protocol (sources in FIDELITY.md):
- json and query services validate with their request framework and answer
  "N validation error(s) detected: Value 'V' at 'path' failed to satisfy constraint: ..."
  with ValidationException (json, HTTP 400) or ValidationError (query, HTTP 400);
- CloudFront validates the XML body against its schema the same way and calls it MalformedXML
  (other members: InvalidArgument);
- S3 answers a body outside its published schema with MalformedXML and its fixed message, and a
  header or querystring value outside its constraints with InvalidArgument naming it; S3 does
  not check enums of headers and querystrings against the model (its enums are open).

Requests wire.parse cannot read (unsigned, unknown operation, another protocol) pass on
unchanged: this module refuses only what a model says AWS refuses.
"""
import json
import sys
import uuid
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import regex
from werkzeug.wrappers import Response

import strict_cost
import wire

EXEMPT = ("/_edge/", "/moto-api/", "/_faults")

# Where each rule applies, per protocol (and per service for rest-xml): the rule kinds checked
# in the body ("payload") and in URI labels, headers and the querystring ("located").
ALL_RULES = frozenset({"required", "range", "length", "pattern", "enum"})
ENFORCEMENT = {
    "json": {"payload": ALL_RULES, "located": ALL_RULES},
    "query": {"payload": ALL_RULES, "located": ALL_RULES},
    "cloudfront": {"payload": ALL_RULES, "located": ALL_RULES},
    "s3": {"payload": ALL_RULES, "located": ALL_RULES - {"enum"}},
}


@dataclass(frozen=True)
class Violation:
    """One constraint a request breaks."""

    path: str          # AWS's path to the value, e.g. "provisioningParameters.1.member.key"
    value: object      # the value as AWS shows it (None: null; NOT_SHOWN: omitted)
    constraint: str    # e.g. "Member must have value less than or equal to 20"
    member: str        # the top-level input member it is in
    wire_name: str     # that member's name on the wire (header, querystring or element)
    located: bool      # the member is in the URI, a header or the querystring, not the body

    def text(self):
        if self.value is NOT_SHOWN:
            shown = "Value"
        elif self.value is None:
            shown = "Value null"
        else:
            shown = f"Value '{_java_text(self.value)}'"
        return f"{shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


NOT_SHOWN = object()  # sensitive members and blobs: AWS does not echo them


def _java_text(value):
    """A value as Java's toString shows it in AWS's messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_java_text(k)}={_java_text(v)}" for k, v in value.items()) + "}"
    return str(value)


# --- patterns ---------------------------------------------------------------------------------

# java.util.regex's predefined and POSIX classes are US-ASCII only unless
# UNICODE_CHARACTER_CLASS is set; \p{L} and the other Unicode categories are Unicode
# (https://docs.oracle.com/javase/8/docs/api/java/util/regex/Pattern.html).
JAVA_ASCII_CLASSES = {
    "w": "a-zA-Z0-9_", "d": "0-9", "s": r" \t\n\x0B\f\r",
    "Lower": "a-z", "Upper": "A-Z", "ASCII": r"\x00-\x7F", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": r"!-/:-@\[-`{-~", "Graph": "!-~", "Print": " -~",
    "Blank": r" \t", "Cntrl": r"\x00-\x1F\x7F", "XDigit": "0-9a-fA-F", "Space": r" \t\n\x0B\f\r",
}
POSIX_NAMES = "|".join(name for name in JAVA_ASCII_CLASSES if len(name) > 1)
JAVA_TOKEN = regex.compile(
    r"\\u(D[89AB][0-9A-Fa-f]{2})\\u(D[C-F][0-9A-Fa-f]{2})"   # an escaped surrogate pair
    r"|\\x\{([0-9A-Fa-f]+)\}"                               # \x{h...h}
    r"|\\([pP])\{(" + POSIX_NAMES + r")\}"                   # \p{Alpha}, \P{Alpha}
    r"|\\([wWdDsS])"                                        # \w \W \d \D \s \S
    r"|\\.|\[|\]|\.")
# Java's "." excludes every line terminator, not only "\n".
JAVA_DOT = r"[^\n\r\u0085\u2028\u2029]"


@lru_cache(maxsize=None)
def java_pattern(pattern):
    """A compiled pattern that matches what java.util.regex matches for `pattern`: \\w \\d \\s
    and POSIX classes ASCII, \\p{L} and friends Unicode, an escaped surrogate pair one
    supplementary character, \\x{h..h} a code point, "." no line terminator, nested classes
    as sets (regex's VERSION1, whose set operations Java shares: `&&`)."""
    out, position, depth = [], 0, 0
    for token in JAVA_TOKEN.finditer(pattern):
        out.append(pattern[position:token.start()])
        out.append(_translate(token, depth))
        text = token.group(0)
        depth += 1 if text == "[" else -1 if text == "]" and depth else 0
        position = token.end()
    out.append(pattern[position:])
    return regex.compile("".join(out), regex.VERSION1)


def _translate(token, depth):
    high, low, code, p, posix, shorthand = token.groups()
    if high:
        point = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
        return f"\\U{point:08X}"
    if code:
        return f"\\U{int(code, 16):08X}"
    if posix or shorthand:
        name = posix or shorthand.lower()
        negated = p == "P" or (shorthand or "").isupper()
        return f"[{'^' if negated else ''}{JAVA_ASCII_CLASSES[name]}]"
    if token.group(0) == "." and not depth:
        return JAVA_DOT
    return token.group(0)


# --- the rules --------------------------------------------------------------------------------

def _aws_name(member):
    """AWS's request frameworks name a member by its name with the first letter lowercased."""
    return member[:1].lower() + member[1:]


def _scalar_constraints(shape, value, rules):
    """The constraints a scalar value breaks, in AWS's wording."""
    kind, meta, broken = shape.type_name, shape.metadata, []
    if kind == "string" and isinstance(value, str):
        if "enum" in rules and shape.enum and value not in shape.enum:
            broken.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        broken += _length(meta, len(value), rules)
        if "pattern" in rules and "pattern" in meta and \
                not java_pattern(meta["pattern"]).fullmatch(value):
            broken.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    elif kind == "blob" and isinstance(value, bytes):
        broken += _length(meta, len(value), rules)
    elif kind in ("integer", "long", "float", "double", "short", "byte") and \
            isinstance(value, (int, float)) and not isinstance(value, bool) and "range" in rules:
        if "max" in meta and value > meta["max"]:
            broken.append(f"Member must have value less than or equal to {_number(meta['max'])}")
        if "min" in meta and value < meta["min"]:
            broken.append(f"Member must have value greater than or equal to {_number(meta['min'])}")
    return broken


def _length(meta, length, rules):
    if "length" not in rules:
        return []
    broken = []
    if "max" in meta and length > meta["max"]:
        broken.append(f"Member must have length less than or equal to {_number(meta['max'])}")
    if "min" in meta and length < meta["min"]:
        broken.append(f"Member must have length greater than or equal to {_number(meta['min'])}")
    return broken


def _number(bound):
    return str(int(bound)) if float(bound).is_integer() else str(bound)


class _Walk:
    """Walks one top-level member's value through its shape, collecting violations."""

    def __init__(self, member, member_shape, rules):
        self.top, self.rules, self.found = member, rules, []
        self.wire_name = member_shape.serialization.get("name", member)
        self.located = _located(member_shape)

    def add(self, path, shape, value, constraint):
        shown = NOT_SHOWN if shape.metadata.get("sensitive") or isinstance(value, bytes) \
            else value
        self.found.append(Violation(path, shown, constraint, self.top, self.wire_name,
                                    self.located))

    def value(self, shape, value, path):
        kind = shape.type_name
        if kind == "structure" and isinstance(value, dict):
            self.structure(shape, value, path)
        elif kind == "list" and isinstance(value, list):
            self.collection(shape, value, path, len(value))
            self.elements(shape.member, list(enumerate(value, 1)), value, path, "")
        elif kind == "map" and isinstance(value, dict):
            self.collection(shape, value, path, len(value))
            keys = [(k, k) for k in value]
            self.elements(shape.key, keys, value, path, "Map keys must satisfy constraint: ")
            self.elements(shape.value, list(value.items()), value, path,
                          "Map value must satisfy constraint: ")
        else:
            for constraint in _scalar_constraints(shape, value, self.rules):
                self.add(path, shape, value, constraint)

    def structure(self, shape, value, path):
        if shape.metadata.get("union") or shape.metadata.get("document"):
            return
        for member in shape.members:
            self.member(shape, member, value.get(member), f"{path}.{_aws_name(member)}")

    def member(self, parent, member, value, path):
        member_shape = parent.members[member]
        if value is not None:
            self.value(member_shape, value, path)
        elif member in parent.required_members and "required" in self.rules:
            self.add(path, member_shape, None, "Member must not be null")

    def collection(self, shape, value, path, length):
        for constraint in _length(shape.metadata, length, self.rules):
            self.add(path, shape, value, constraint)

    def elements(self, shape, items, whole, path, prefix):
        """Scalar elements are reported once for the collection, AWS-style: "Member must
        satisfy constraint: [...]"; structured ones by their own path (list.N.member.x)."""
        if shape.type_name in ("structure", "list", "map"):
            for key, item in items:
                if item is not None:
                    self.value(shape, item, f"{path}.{key}.member")
            return
        broken = []
        for _, item in items:
            for constraint in _scalar_constraints(shape, item, self.rules):
                if constraint not in broken:
                    broken.append(constraint)
        if broken:
            self.add(path, shape, whole, (prefix or "Member must satisfy constraint: ")
                     + "[" + ", ".join(broken) + "]")


def _located(member_shape):
    return member_shape.serialization.get("location") in ("uri", "header", "headers",
                                                          "querystring")


def _enforcement(parsed):
    return ENFORCEMENT.get(parsed.protocol) or ENFORCEMENT.get(parsed.service)


def violations(parsed, without=frozenset()):
    """Every constraint of the operation's input shape that the parsed request breaks (but for
    the rule kinds `without` names)."""
    enforcement = _enforcement(parsed)
    shape = parsed.input_shape
    if enforcement is None or shape is None:
        return []
    found = []
    for member, member_shape in shape.members.items():
        rules = enforcement["located" if _located(member_shape) else "payload"] - without
        walk = _Walk(member, member_shape, rules)
        walk.member(shape, member, parsed.params.get(member), _aws_name(member))
        found += walk.found
    return found


# --- refusals ---------------------------------------------------------------------------------

def coral_message(found):
    count = len(found)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(v.text() for v in found)


def error_of(parsed, found):
    """(code, message) AWS refuses these violations with, for the request's service."""
    if parsed.protocol == "json":
        return "ValidationException", coral_message(found)
    if parsed.protocol == "query":
        return "ValidationError", coral_message(found)
    if parsed.service == "s3":
        if any(not v.located for v in found):
            return "MalformedXML", S3_MALFORMED_XML
        return "InvalidArgument", coral_message(found)
    return ("InvalidArgument" if all(v.located for v in found) else "MalformedXML",
            coral_message(found))


def refusal(parsed, found):
    """The response AWS gives for these violations, in the caller's protocol."""
    request_id = str(uuid.uuid4())
    if parsed.protocol == "json":
        version = parsed.service_model.metadata.get("jsonVersion", "1.1")
        body = {"__type": "com.amazon.coral.validate#ValidationException",
                "message": coral_message(found)}
        return Response(json.dumps(body), status=400,
                        content_type=f"application/x-amz-json-{version}",
                        headers={"x-amzn-RequestId": request_id})
    if parsed.service == "s3":
        return _s3_refusal(found, request_id)
    code, message = error_of(parsed, found)
    namespace = parsed.service_model.metadata.get("xmlNamespace", "") \
        if parsed.protocol == "query" else \
        f"http://{parsed.service}.amazonaws.com/doc/{parsed.service_model.api_version}/"
    return _error_response(namespace, code, message, request_id)


def _error_response(namespace, code, message, request_id):
    body = (f'<?xml version="1.0"?><ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    return Response(body, status=400, content_type="text/xml",
                    headers={"x-amzn-RequestId": request_id})


S3_MALFORMED_XML = ("The XML you provided was not well-formed or did not validate against our "
                    "published schema")


def _s3_refusal(found, request_id):
    code, message = error_of(wire.ParsedRequest("s3", "", "rest-xml", {}), found)
    argument = ""
    if code == "InvalidArgument":
        first = found[0]
        shown = "" if first.value in (None, NOT_SHOWN) else _java_text(first.value)
        argument = (f"<ArgumentName>{escape(first.wire_name)}</ArgumentName>"
                    f"<ArgumentValue>{escape(shown)}</ArgumentValue>")
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message>{argument}<RequestId>{request_id}</RequestId>"
            f"<HostId>{request_id}</HostId></Error>")
    return Response(body, status=400, content_type="application/xml",
                    headers={"x-amz-request-id": request_id})


class ValidationApplication:
    """WSGI middleware: refuses a request its model says AWS refuses; passes on the rest."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(EXEMPT):
            with strict_cost.rule("validation"):
                parsed = wire.parse(environ)
                found = violations(parsed) if parsed is not None else []
            if found:
                # One line on stderr per refusal: a test that fails on it shows why.
                print(f"emulator: refused {parsed.service} {parsed.operation}: "
                      f"{coral_message(found)}", file=sys.stderr, flush=True)
                return refusal(parsed, found)(environ, start_response)
        return self.app(environ, start_response)
