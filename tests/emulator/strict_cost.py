"""What the strict rules cost: the time requests spend in request validation (validation.py),
IAM authorization (iam_enforce.py) and the resource handlers' authorization (cfn_handlers.py),
beside the time the emulator spends on requests in all, so `tests/run` can say how much of the
test run strictness takes (issue 11 allows it 10%).

Off unless EMULATOR_STRICT_COST names a file; the emulator then appends one JSON line to it
when it stops: {"requests": N, "request_seconds": S, "rules": {"validation": S, ...}}.
Seconds are summed over the server's threads, so they can pass the wall-clock time.

Usage: python strict_cost.py FILE [WALL_SECONDS]   prints the totals of every line in FILE
"""
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

# Read once: the emulator checks it on every request.
_FILE = os.environ.get("EMULATOR_STRICT_COST")
_LOCK = threading.Lock()
_RULES = {}
_REQUESTS = {"requests": 0, "request_seconds": 0.0}


def _add(totals, key, seconds):
    with _LOCK:
        totals[key] = totals.get(key, 0) + seconds


@contextmanager
def rule(name):
    """Counts the time of the block against the strict rule `name` (when measuring)."""
    if not _FILE:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _add(_RULES, name, time.perf_counter() - start)


class RequestTimeApplication:
    """WSGI middleware, outermost: the time of every request, rules and moto alike."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not _FILE:
            return self.app(environ, start_response)
        start = time.perf_counter()
        try:
            return self.app(environ, start_response)
        finally:
            _add(_REQUESTS, "request_seconds", time.perf_counter() - start)
            _add(_REQUESTS, "requests", 1)


def measured():
    """The totals so far: {"requests", "request_seconds", "rules": {name: seconds}}."""
    with _LOCK:
        return {**_REQUESTS, "rules": dict(_RULES)}


def write():
    """Appends the totals to EMULATOR_STRICT_COST (nothing when not measuring)."""
    if _FILE:
        with open(_FILE, "a", encoding="utf-8") as out:
            out.write(json.dumps(measured()) + "\n")


def summary(lines, wall_seconds=None):
    """One line on the totals of many emulators' lines."""
    requests = seconds = 0
    rules = {}
    for line in lines:
        found = json.loads(line)
        requests += found["requests"]
        seconds += found["request_seconds"]
        for name, spent in found["rules"].items():
            rules[name] = rules.get(name, 0) + spent
    strict = sum(rules.values())
    parts = ", ".join(f"{name} {spent:.1f} s" for name, spent in sorted(rules.items()))
    text = (f"strict emulator rules: {strict:.1f} s ({parts}) of {seconds:.1f} s the emulators "
            f"spent on {requests} requests ({100 * strict / seconds if seconds else 0:.1f}%)")
    if wall_seconds:
        text += (f"; at most {100 * strict / wall_seconds:.1f}% of the stage's "
                 f"{wall_seconds:.0f} s even if none of it ran in parallel")
    return text


if __name__ == "__main__":
    found = Path(sys.argv[1])
    wall = float(sys.argv[2]) if len(sys.argv) > 2 else None
    print(summary(found.read_text().splitlines() if found.exists() else [], wall))
