"""CloudFront Functions at the edge: a behavior's viewer-request function runs on each viewer
request, with the local `node` (edge_function_runner.js), under the event model of the
CloudFront developer guide's "CloudFront Functions event structure" page:

- the event: `version` "1.0"; `context` (distributionDomainName, distributionId, eventType
  "viewer-request", requestId); `viewer.ip`; `request` (method, uri, querystring, headers
  with lower-case names, cookies; each a map of name to `{value}`, with `multiValue` when a
  name repeats). Query strings and the URI are passed as received (the page on restrictions:
  "When values in the request are UTF-8 encoded, CloudFront forwards the values to your
  function without changing them").
- the result: a request object continues to the origin (a changed `uri` changes the object,
  not the behavior); an object with `statusCode` is the response, with its headers (a
  lower-case name becomes Capitalized-Words), cookies and body (text, or `{data, encoding}`
  with encoding "text" or "base64").
- a function that throws, times out or returns neither is a 503 (an invalid function "does not
  fall through to the origin — the distribution answers every request with a 503",
  DhananjayThomble/URL-Shortener-App#358).
"""
import base64
import json
import subprocess
import uuid
from pathlib import Path

from werkzeug.wrappers import Response

RUNNER = Path(__file__).with_name("edge_function_runner.js")
TIMEOUT_SECONDS = 5


class FunctionFailed(Exception):
    """The function threw, timed out or returned what CloudFront cannot use."""


def _fields(pairs):
    """name -> {value}, with multiValue when a name repeats (the event's structure)."""
    fields = {}
    for name, value in pairs:
        if name in fields:
            field = fields[name]
            field.setdefault("multiValue", [{"value": field["value"]}])
            field["multiValue"].append({"value": value})
        else:
            fields[name] = {"value": value}
    return fields


def _query_pairs(raw_query):
    for part in raw_query.split("&"):
        if part:
            name, _, value = part.partition("=")
            yield name, value


def event(request, distribution, uri):
    """The viewer-request event for `request` on `distribution` (`uri`: its path there)."""
    raw = request.environ.get("RAW_URI") or request.full_path
    headers = [(k.lower(), v) for k, v in request.headers.items() if k.lower() != "cookie"]
    return {
        "version": "1.0",
        "context": {"distributionDomainName": distribution.domain_name,
                    "distributionId": distribution.id, "eventType": "viewer-request",
                    "requestId": str(uuid.uuid4())},
        "viewer": {"ip": request.remote_addr or "127.0.0.1"},
        "request": {"method": request.method, "uri": uri,
                    "querystring": _fields(_query_pairs(raw.partition("?")[2])),
                    "headers": _fields(headers),
                    "cookies": _fields(request.cookies.items(multi=True))},
    }


def run(code, the_event):
    """What the function's handler returned for `the_event`."""
    try:
        finished = subprocess.run(["node", str(RUNNER)], input=json.dumps(
            {"code": code, "event": the_event}), capture_output=True, text=True,
            timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise FunctionFailed("the function did not finish in time")
    try:
        outcome = json.loads(finished.stdout)
    except ValueError:
        raise FunctionFailed(f"the function runner failed: {finished.stderr.strip()}")
    if "error" in outcome:
        raise FunctionFailed(outcome["error"])
    if not isinstance(outcome.get("result"), dict):
        raise FunctionFailed("the function returned neither a request nor a response")
    return outcome["result"]


def _header_name(name):
    return "-".join(word.capitalize() for word in name.split("-"))


def as_response(result):
    """A response object the function returned, as the viewer gets it (CloudFront marks it
    `X-Cache: FunctionGeneratedResponse from cloudfront`)."""
    response = Response(status=int(result["statusCode"]),
                        headers={"X-Cache": "FunctionGeneratedResponse from cloudfront"})
    for name, field in (result.get("headers") or {}).items():
        for value in [v["value"] for v in field.get("multiValue", [])] or [field["value"]]:
            response.headers.add(_header_name(name), value)
    for name, cookie in (result.get("cookies") or {}).items():
        attributes = f"; {cookie['attributes']}" if cookie.get("attributes") else ""
        response.headers.add("Set-Cookie", f"{name}={cookie['value']}{attributes}")
    body = result.get("body")
    if isinstance(body, dict):
        data = body.get("data", "")
        response.set_data(base64.b64decode(data) if body.get("encoding") == "base64" else data)
    elif body is not None:
        response.set_data(body)
    return response


def viewer_request(function, request, distribution, uri):
    """Runs `function` on the viewer request: ("response", Response) when it answers itself,
    else ("request", uri, headers) with what it forwards."""
    try:
        result = run(function.code.decode(), event(request, distribution, uri))
        if "statusCode" in result:
            return "response", as_response(result)
        headers = {name: field["value"] for name, field in (result.get("headers") or {}).items()}
        return "request", result.get("uri") or uri, headers
    except (FunctionFailed, KeyError, TypeError, ValueError) as failed:
        body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>FunctionExecutionError'
                f"</Code><Message>The CloudFront function failed: {failed}</Message></Error>")
        return "response", Response(body, status=503, content_type="application/xml",
                                    headers={"X-Cache": "FunctionExecutionError from cloudfront"})
