"""Fault injection for the emulator: a fraction of AWS API calls answered with a throttling
error or a 500, as AWS does under load, so tests can show the recipes still complete (the SDK
retries them). The request never reaches moto, so a retry is always safe.

Control (JSON over HTTP on the emulator's port):
  POST /_faults {"rate": 0.1, "seed": 7}   inject into 10% of calls (rate 0 turns it off)
  GET  /_faults                            {"rate": ..., "injected": <calls answered so far>}
The edge (/_edge/...) and moto's own API (/moto-api/...) are never faulted.
"""
import json
import random
import threading

from werkzeug.wrappers import Request, Response

CONTROL = "/_faults"
_state = {"rate": 0.0, "injected": 0, "random": random.Random(0)}
_lock = threading.Lock()


def _should_fail():
    with _lock:
        if _state["rate"] <= 0 or _state["random"].random() >= _state["rate"]:
            return None
        _state["injected"] += 1
        return "throttle" if _state["injected"] % 2 else "internal"


def _fault_response(request, kind):
    """The error in the protocol the caller speaks: JSON (X-Amz-Target), query (Action=) or
    REST-XML (S3, CloudFront)."""
    throttle = kind == "throttle"
    message = "Rate exceeded (injected by the emulator)" if throttle else \
        "We encountered an internal error (injected by the emulator)"
    if request.headers.get("X-Amz-Target"):
        code = "ThrottlingException" if throttle else "InternalFailure"
        return Response(json.dumps({"__type": code, "message": message}),
                        status=400 if throttle else 500,
                        content_type="application/x-amz-json-1.1")
    if b"Action=" in request.get_data():
        code = "Throttling" if throttle else "InternalFailure"
        body = (f"<ErrorResponse><Error><Type>{'Sender' if throttle else 'Receiver'}</Type>"
                f"<Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>injected</RequestId></ErrorResponse>")
        return Response(body, status=400 if throttle else 500, content_type="text/xml")
    code = "SlowDown" if throttle else "InternalError"
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(body, status=503 if throttle else 500, content_type="application/xml")


def _control(request):
    if request.method == "POST":
        settings = json.loads(request.get_data() or b"{}")
        with _lock:
            _state["rate"] = float(settings.get("rate", 0))
            _state["random"] = random.Random(settings.get("seed", 0))
    with _lock:
        body = {"rate": _state["rate"], "injected": _state["injected"]}
    return Response(json.dumps(body), content_type="application/json")


class FaultApplication:
    """WSGI middleware in front of the emulator."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == CONTROL:
            return _control(Request(environ))(environ, start_response)
        if not path.startswith(("/_edge/", "/moto-api/")):
            request = Request(environ)
            kind = _should_fail()
            if kind:
                return _fault_response(request, kind)(environ, start_response)
        return self.app(environ, start_response)
