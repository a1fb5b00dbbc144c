"""Turns an AWS API request, as it reaches the emulator (a WSGI environ), into what the caller
asked for: the service, the operation and its input parameters, shaped as botocore would take
them (member names as keys; integers, booleans and floats typed; blobs as bytes; lists and maps
as Python lists and dicts). Everything comes from botocore's service models
(botocore/data/<service>/<version>/service-2.json, pinned with the emulator), never from
per-operation code: this module knows the protocols, the models know the operations.

Sources: the AWS protocol specifications as botocore implements them
(botocore/serialize.py: JSONSerializer, QuerySerializer, RestXMLSerializer) and the SigV4
credential scope (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).

    parsed = wire.parse(environ)       # None: not an AWS API request this module can read
    parsed.service                     # "servicecatalog" (botocore service name)
    parsed.operation                   # "SearchProvisionedProducts"
    parsed.params                      # {"PageSize": 100, "AccessLevelFilter": {...}}
    parsed.input_shape                 # botocore StructureShape of the input (or None)

How each piece is found:
- service: the signing name of the SigV4 credential scope, from the Authorization header or a
  presigned URL's X-Amz-Credential (KEY/DATE/REGION/SERVICE/aws4_request);
- operation: X-Amz-Target (json), the Action field (query), or the HTTP method and the
  requestUri template the path matches (rest-xml; S3 path-style addressing);
- params: the JSON body (json); the form fields or querystring with query-protocol flattening,
  `Name.member.N`, `Name.entry.N.key` (query); URI labels, querystring, headers and the XML or
  raw payload, each member where its `location`/`locationName` puts it (rest-xml).

Reading the body replaces environ["wsgi.input"] with a copy, so the next application reads the
same bytes. Requests in a protocol not handled here (smithy-rpc-v2-cbor, rest-json) and
unknown operations parse to None: callers pass them on unchanged.
"""
import base64
import binascii
import io
import json
import re
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, unquote

import botocore.session
from botocore.exceptions import UnknownServiceError
from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_input_stream

CREDENTIAL = re.compile(r"Credential=([^,\s]+)")
PARSED = "cfsign.parsed"  # environ keys where a request's parse and body are kept
BODY = "cfsign.body"
LABEL = re.compile(r"\{([^}]+?)(\+)?\}")


@dataclass(frozen=True)
class ParsedRequest:
    """One AWS API request, read through its service model."""

    service: str                 # botocore service name (the SigV4 signing name)
    operation: str               # operation name as in the model, e.g. "CreateKeyGroup"
    protocol: str                # "json", "query" or "rest-xml"
    params: dict                 # input members as botocore takes them
    region: str = ""             # from the credential scope
    access_key: str = ""         # from the credential scope
    operation_model: object = field(default=None, repr=False, compare=False)

    @property
    def service_model(self):
        return self.operation_model.service_model

    @property
    def input_shape(self):
        return self.operation_model.input_shape


# --- models (loaded lazily, once per service) -------------------------------------------------

_session_lock = threading.Lock()
_session = None


def _botocore_session():
    global _session
    with _session_lock:
        if _session is None:
            _session = botocore.session.get_session()
        return _session


@lru_cache(maxsize=None)
def service_model(service):
    """botocore's ServiceModel for a service name, or None when botocore has no such service."""
    try:
        return _botocore_session().get_service_model(service)
    except UnknownServiceError:
        return None


def operation_model(service, operation):
    model = service_model(service)
    if model is None or operation not in model.operation_names:
        return None
    return model.operation_model(operation)


# --- the request ------------------------------------------------------------------------------

def credential_scope(environ):
    """(access key, region, service) from the SigV4 credential scope, or None."""
    headers = EnvironHeaders(environ)
    found = CREDENTIAL.search(headers.get("Authorization", ""))
    credential = found.group(1) if found else _query(environ).get("X-Amz-Credential")
    if not credential:
        return None
    parts = unquote(credential).split("/")
    if len(parts) < 5:
        return None
    return parts[0], parts[2], parts[3]


def _query(environ):
    return dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))


def _query_pairs(environ):
    return parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)


def body(environ):
    """The request body, read once and put back for whoever reads it next."""
    cached = environ.get(BODY)
    if cached is not None:
        return cached
    data = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ[BODY] = data
    return data


def parse(environ):
    """The ParsedRequest for a WSGI environ, or None when it is not an AWS API request of a
    service, protocol and operation the models describe. Parsed once per request: later
    callers (validation, then IAM evaluation) get the same object."""
    if PARSED not in environ:
        environ[PARSED] = _parse(environ)
    return environ[PARSED]


def _parse(environ):
    scope = credential_scope(environ)
    if scope is None:
        return None
    access_key, region, service = scope
    model = service_model(service)
    if model is None:
        return None
    headers = EnvironHeaders(environ)
    for protocol, reader in _READERS:
        if protocol in _protocols(model) and _speaks(protocol, environ, headers):
            found = reader(model, environ, headers)
            if found is None:
                return None
            name, params = found
            return ParsedRequest(service, name, protocol, params, region, access_key,
                                 model.operation_model(name))
    return None


def _protocols(model):
    return model.metadata.get("protocols") or [model.protocol]


def _speaks(protocol, environ, headers):
    if protocol == "json":
        return bool(headers.get("X-Amz-Target"))
    if protocol == "query":
        return not headers.get("X-Amz-Target") and not headers.get("smithy-protocol")
    return protocol == "rest-xml"


# --- json -------------------------------------------------------------------------------------

def _read_json(model, environ, headers):
    prefix, _, name = headers["X-Amz-Target"].rpartition(".")
    if prefix != model.metadata.get("targetPrefix") or name not in model.operation_names:
        return None
    shape = model.operation_model(name).input_shape
    try:
        document = json.loads(body(environ) or b"{}")
    except ValueError:
        return None
    return name, _from_json(shape, document) if shape is not None else {}


def _from_json(shape, value):
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = {}
        for member, member_shape in shape.members.items():
            wire_name = member_shape.serialization.get("name", member)
            if value.get(wire_name) is not None:
                members[member] = _from_json(member_shape, value[wire_name])
        return members
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_json(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, str):
        return _b64(value)
    return value


# --- query ------------------------------------------------------------------------------------

def _read_query(model, environ, headers):
    fields = _query_pairs(environ)
    content_type = headers.get("Content-Type", "")
    if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in content_type:
        fields += parse_qsl(body(environ).decode("utf-8", "replace"), keep_blank_values=True)
    flat = dict(fields)
    name = flat.get("Action")
    if name not in model.operation_names:
        return None
    shape = model.operation_model(name).input_shape
    if shape is None:
        return name, {}
    return name, _from_query(shape, _trie(flat)) or {}


def _trie(flat):
    """{"A.member.1.B": "x"} -> {"A": {"member": {"1": {"B": {None: "x"}}}}}; a leaf's value is
    under the key None."""
    root = {}
    for key, value in flat.items():
        node = root
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[None] = value
    return root


def _numbered(node):
    items = [(int(k), v) for k, v in node.items() if isinstance(k, str) and k.isdigit()]
    return [v for _, v in sorted(items)]


def _from_query(shape, node):
    if node is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        members = {}
        for member, member_shape in shape.members.items():
            value = _from_query(member_shape,
                                node.get(_query_member_name(member, member_shape)))
            if value is not None:
                members[member] = value
        return members
    if kind == "list":
        if node.get(None) == "" and len(node) == 1:
            return []
        if not member_flattened(shape):
            node = node.get(shape.member.serialization.get("name", "member"), {})
        return [_from_query(shape.member, item) for item in _numbered(node)]
    if kind == "map":
        if not member_flattened(shape):
            node = node.get("entry", {})
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        return {_from_query(shape.key, entry.get(key_name)):
                _from_query(shape.value, entry.get(value_name))
                for entry in _numbered(node)}
    return scalar(shape, node.get(None))


def _query_member_name(member, member_shape):
    # A flattened list whose member has a name is serialized under that name (botocore
    # QuerySerializer._serialize_type_list replaces the last part of the prefix).
    if member_shape.type_name == "list" and member_flattened(member_shape):
        return member_shape.member.serialization.get("name") or \
            member_shape.serialization.get("name", member)
    return member_shape.serialization.get("name", member)


def member_flattened(shape):
    return bool(shape.serialization.get("flattened"))


# --- rest-xml ---------------------------------------------------------------------------------

def _read_rest(model, environ, headers):
    path = _raw_path(environ)
    query = _query(environ)
    found = _match_operation(model, environ.get("REQUEST_METHOD", "GET"), path, query, headers)
    if found is None:
        return None
    operation, labels = found
    shape = operation.input_shape
    if shape is None:
        return operation.name, {}
    params = {}
    for member, member_shape in shape.members.items():
        value = _located(member_shape, member, labels, environ, headers)
        if value is not None:
            params[member] = value
    params.update(_payload(shape, environ, headers))
    return operation.name, params


def _raw_path(environ):
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return environ.get("PATH_INFO", "/")


@lru_cache(maxsize=None)
def _templates(service):
    """Each operation's (method, compiled path, literal query, literal length) for a REST
    service, compiled once."""
    model = service_model(service)
    templates = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        method, uri = operation.http.get("method", "POST"), operation.http.get("requestUri", "/")
        path, _, literal_query = uri.partition("?")
        templates.append((operation, method, _path_regex(path),
                          dict(parse_qsl(literal_query, keep_blank_values=True)),
                          len(LABEL.sub("", path))))
    return templates


def _path_regex(path):
    pattern, position = "", 0
    for label in LABEL.finditer(path):
        pattern += re.escape(path[position:label.start()])
        group = label.group(1)
        pattern += f"(?P<{_group(group)}>.+)" if label.group(2) else f"(?P<{_group(group)}>[^/]+)"
        position = label.end()
    pattern += re.escape(path[position:])
    if not pattern.endswith("/"):
        pattern += "/?"
    return re.compile(pattern + r"\Z")


def _group(label):
    return "l_" + re.sub(r"\W", "_", label)


def _match_operation(model, method, path, query, headers):
    """The operation whose method and requestUri template match, the most specific first: a
    request's x-id (the SDKs name the operation there), then every required header and
    querystring member present, then an operation the model does not mark deprecated (S3's
    PutBucketLifecycle shares PutBucketLifecycleConfiguration's path; SDKs that send no x-id,
    like botocore, call the current one), then more literal query keys, then longer literal
    paths."""
    best, best_score = None, None
    for operation, op_method, regex, literal_query, literal_length in _templates(
            model.service_name):
        if op_method != method:
            continue
        matched = regex.match(path)
        if matched is None or not _literal_query_matches(literal_query, query):
            continue
        required = _required_located(operation)
        present = [name for name in required if _present(name, query, headers)]
        score = (query.get("x-id") == operation.name, len(present) == len(required),
                 not operation.deprecated, len(literal_query), len(present), literal_length)
        if best_score is None or score > best_score:
            labels = {k: unquote(v) for k, v in matched.groupdict().items()}
            best, best_score = (operation, labels), score
    return best


def _literal_query_matches(literal_query, query):
    return all(key in query and (value == "" or query[key] == value)
               for key, value in literal_query.items())


@lru_cache(maxsize=None)
def _required_located(operation):
    shape = operation.input_shape
    if shape is None:
        return ()
    return tuple((member_shape.serialization["location"],
                  member_shape.serialization.get("name", member))
                 for member, member_shape in shape.members.items()
                 if member in shape.required_members
                 and member_shape.serialization.get("location") in ("header", "querystring"))


def _present(located, query, headers):
    location, name = located
    return name in query if location == "querystring" else name in headers


def _located(shape, member, labels, environ, headers):
    location = shape.serialization.get("location")
    name = shape.serialization.get("name", member)
    if location == "uri":
        return scalar(shape, labels.get(_group(name)))
    if location == "querystring":
        return _querystring_member(shape, name, environ)
    if location == "header":
        raw = headers.get(name)
        if raw is None:
            return None
        if shape.type_name == "list":
            return [scalar(shape.member, item.strip()) for item in raw.split(",")]
        return scalar(shape, raw)
    if location == "headers":
        prefix = name.lower()
        return {key[len(prefix):].lower(): value for key, value in headers.items()
                if key.lower().startswith(prefix)} or None
    return None


def _querystring_member(shape, name, environ):
    pairs = _query_pairs(environ)
    if shape.type_name == "map":
        return dict(pairs) or None
    values = [value for key, value in pairs if key == name]
    if not values:
        return None
    if shape.type_name == "list":
        return [scalar(shape.member, value) for value in values]
    return scalar(shape, values[0])


def _payload(shape, environ, headers):
    """The members carried in the body: the payload member (a structure as XML, a string as
    text; a blob, such as an object's bytes, is not read), or the unlocated members as children
    of the root element."""
    payload = shape.serialization.get("payload")
    if payload:
        member_shape = shape.members[payload]
        if member_shape.type_name == "string":
            return {payload: body(environ).decode("utf-8", "replace")}
        if member_shape.type_name != "structure":
            return {}  # a blob body (an object's bytes, a stream): not read
        root = _xml_root(environ, headers)
        return {} if root is None else {payload: _from_xml(member_shape, root)}
    unlocated = {m: s for m, s in shape.members.items() if not s.serialization.get("location")}
    if not unlocated:
        return {}
    root = _xml_root(environ, headers)
    if root is None:
        return {}
    parsed = _from_xml(shape, root)
    return {m: v for m, v in parsed.items() if m in unlocated}


def _xml_root(environ, headers):
    data = body(environ)
    if "aws-chunked" in headers.get("Content-Encoding", ""):
        data = _dechunk(data)
    if not data.strip():
        return None
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None


def _dechunk(data):
    """The payload of an aws-chunked body (SigV4 streaming: `size;chunk-signature=...\\r\\n`
    data `\\r\\n`, ending with a zero-size chunk and trailers)."""
    out, position = b"", 0
    while position < len(data):
        line_end = data.find(b"\r\n", position)
        if line_end < 0:
            break
        size = int(data[position:line_end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[line_end + 2:line_end + 2 + size]
        position = line_end + 2 + size + 2
    return out


def _local(tag):
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _from_xml(shape, element):
    kind = shape.type_name
    if kind == "structure":
        return _xml_structure(shape, element)
    if kind == "list":
        return [_from_xml(shape.member, child) for child in element]
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entries = {}
        for entry in element:
            parts = {_local(child.tag): child for child in entry}
            if key_name in parts:
                value = parts.get(value_name)
                entries[_from_xml(shape.key, parts[key_name])] = \
                    None if value is None else _from_xml(shape.value, value)
        return entries
    return scalar(shape, element.text or "")


def _xml_structure(shape, element):
    children = {}
    for child in element:
        children.setdefault(_local(child.tag), []).append(child)
    attributes = {_local(key): value for key, value in element.attrib.items()}
    members = {}
    for member, member_shape in shape.members.items():
        name = _local(member_shape.serialization.get("name", member))
        if member_shape.serialization.get("xmlAttribute"):
            if name in attributes:
                members[member] = scalar(member_shape, attributes[name])
        elif member_shape.type_name == "list" and member_flattened(member_shape):
            if name in children:
                members[member] = [_from_xml(member_shape.member, c) for c in children[name]]
        elif name in children:
            members[member] = _from_xml(member_shape, children[name][0])
    return members


# --- scalars ----------------------------------------------------------------------------------

def scalar(shape, text):
    """A scalar from its text on the wire, typed as the shape says; text that does not parse as
    its type is kept as it is (the validator reports no constraint on it)."""
    if text is None:
        return None
    kind = shape.type_name
    try:
        if kind in ("integer", "long", "byte", "short"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    if kind == "blob":
        return _b64(text)
    return text


def _b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


_READERS = (("json", _read_json), ("query", _read_query), ("rest-xml", _read_rest))
