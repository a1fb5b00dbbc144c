"""tests/emulator/serve keeps running without a stdin (a script, a container), and stops when
the process that started it (or the one --parent names) exits, or on SIGTERM."""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import strict_cost

SERVE = Path(__file__).parent / "serve"


def answers(endpoint):
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def gone(pid, within=10):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _zombie(pid):
            return True
        time.sleep(0.1)
    return False


def _zombie(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


def test_started_by_a_script_with_no_stdin_it_serves_until_that_script_exits(tmp_path):
    # The script starts the emulator in the background, as the README shows, with stdin
    # /dev/null, and exits when told to (a file appears).
    done = tmp_path / "done"
    script = (f'"{SERVE}" > "{tmp_path}/endpoint" & echo $! > "{tmp_path}/pid"\n'
              f'while [ ! -e "{done}" ]; do sleep 0.1; done\n')
    parent = subprocess.Popen(["bash", "-c", script], stdin=subprocess.DEVNULL)
    endpoint = _first_line(tmp_path / "endpoint")
    pid = int((tmp_path / "pid").read_text())
    time.sleep(1.5)
    assert answers(endpoint), "the emulator stopped although its parent still runs"
    done.touch()
    parent.wait(timeout=10)
    assert gone(pid), "the emulator outlived the script that started it"


def test_it_stops_when_the_process_named_by_parent_exits():
    keeper = subprocess.Popen(["sleep", "60"])
    serve = subprocess.Popen([str(SERVE), "--parent", str(keeper.pid)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    endpoint = serve.stdout.readline().strip()
    assert answers(endpoint)
    keeper.kill()
    keeper.wait()
    assert serve.wait(timeout=10) == 0


def test_it_stops_on_sigterm():
    serve = subprocess.Popen([str(SERVE), "--parent", "0"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, text=True)
    endpoint = serve.stdout.readline().strip()
    assert answers(endpoint)
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=10) == 0


def _first_line(path, within=60):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().endswith("\n"):
            return path.read_text().splitlines()[0]
        time.sleep(0.1)
    raise AssertionError("the emulator printed no endpoint")


def test_with_emulator_strict_cost_it_writes_the_time_its_rules_took_when_it_stops(tmp_path):
    cost = tmp_path / "cost.jsonl"
    serve = subprocess.Popen([str(SERVE), "--parent", "0"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "EMULATOR_STRICT_COST": str(cost)})
    endpoint = serve.stdout.readline().strip()
    # One API request (validated and authorized: refused, it has no credentials) and one
    # that no rule looks at.
    request = urllib.request.Request(f"{endpoint}/", data=b"Action=GetCallerIdentity",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as refused:
        assert refused.code in (400, 403)
    assert answers(endpoint)
    assert not cost.exists(), "written before the emulator stopped"
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=10) == 0
    [line] = cost.read_text().splitlines()
    found = json.loads(line)
    assert found["requests"] == 2, found
    assert set(found["rules"]) == {"validation", "authorization"}, found
    assert 0 < sum(found["rules"].values()) <= found["request_seconds"], found


def test_the_summary_adds_up_every_emulators_line():
    lines = [json.dumps({"requests": 10, "request_seconds": 4.0,
                         "rules": {"validation": 0.2, "authorization": 0.2}}),
             json.dumps({"requests": 30, "request_seconds": 6.0,
                         "rules": {"authorization": 0.4, "handlers": 0.2}})]
    assert strict_cost.summary(lines, wall_seconds=100) == (
        "strict emulator rules: 1.0 s (authorization 0.6 s, handlers 0.2 s, validation 0.2 s) "
        "of 10.0 s the emulators spent on 40 requests (10.0%); at most 1.0% of the stage's "
        "100 s even if none of it ran in parallel")
