"""The local AWS emulator for cfsign's tests and quickstart: moto's server on loopback.

Test infrastructure, not a product: it stands in for AWS so no test reaches a real account.
Usage: python server.py [--port N] [--parent PID]   (port 0 or absent: a free port)

Prints the endpoint URL as its first line (a distribution's viewer endpoint, the edge, is at
ENDPOINT/_edge/<distribution-id>/), then serves until the process that started it exits
(--parent PID names another process to outlive; --parent 0: none) or it gets SIGINT, SIGTERM or
SIGHUP. Its stdin is not read: started from a script or a container with stdin /dev/null, it
keeps running. moto's request recorder is on, so tests can read the log of every request
(/moto-api/recorder/download-recording) to prove what a run sent.
"""
import argparse
import logging
import os
import signal
import socket
import threading
import warnings
from pathlib import Path

os.environ.setdefault("MOTO_ENABLE_RECORDING", "True")
# Each server records into its own file under target/ (moto's default is ./moto_recording,
# shared by every server started from the same folder and never cleaned up).
RECORDINGS = Path(__file__).resolve().parents[2] / "target" / "emulator" / "recordings"
RECORDINGS.mkdir(parents=True, exist_ok=True)
RECORDING = RECORDINGS / f"{os.getpid()}.jsonl"
os.environ.setdefault("MOTO_RECORDER_FILEPATH", str(RECORDING))
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import strict_cost  # noqa: E402
from extension import EmulatorServer  # noqa: E402  (after the environment is set)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet():
    # One line per request, and a warning per resource type moto lacks, drown test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module="moto")


def watch(parent, stop, interval=0.2):
    """Sets `stop` once `parent` is gone: for the process that started us, when we are
    reparented (our parent pid changes); for another one, when it no longer exists."""
    started_by = os.getppid()
    while not stop.wait(interval):
        if parent == started_by and os.getppid() != started_by:
            break
        if parent != started_by and not _alive(parent):
            break
    stop.set()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main():
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--parent", type=int, default=os.getppid(),
                        help="stop when this process exits (default: the one that started us; "
                             "0: run until a signal)")
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    port = args.port or free_port()
    server = EmulatorServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"http://127.0.0.1:{port}", flush=True)
    if args.parent:
        threading.Thread(target=watch, args=(args.parent, stop), daemon=True).start()
    while not stop.wait(1):
        pass
    server.stop()
    strict_cost.write()
    RECORDING.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
