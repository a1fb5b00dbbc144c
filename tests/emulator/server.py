"""The local AWS emulator for cfsign's tests and quickstart: moto's server on loopback.

Test infrastructure, not a product: it stands in for AWS so no test reaches a real account.
Usage: python server.py [--port N] [--parent PID]   (port 0 or absent: a free port)
       python server.py --launcher [--parent PID]

Prints the endpoint URL as its first line (a distribution's viewer endpoint, the edge, is at
ENDPOINT/_edge/<distribution-id>/), then serves until the process that started it exits
(--parent PID names another process to outlive; --parent 0: none) or it gets SIGINT, SIGTERM or
SIGHUP. Its stdin is not read: started from a script or a container with stdin /dev/null, it
keeps running. moto's request recorder is on, so tests can read the log of every request
(/moto-api/recorder/download-recording) to prove what a run sent.

With --launcher it serves nothing itself: it imports moto and the extensions once (most of an
emulator's start-up, seconds of CPU), then for every line it reads on stdin forks an emulator of
its own (a process with empty state, its own free port and its own recording) and writes that
one's endpoint URL as a line on stdout. The Rust tests start one launcher per test run and an
emulator per test module from it. It stops when its stdin closes; each emulator it started stops
when --parent exits.
"""
import argparse
import logging
import os
import signal
import socket
import sys
import threading
import traceback
import warnings
from pathlib import Path

os.environ.setdefault("MOTO_ENABLE_RECORDING", "True")
# Each server records into its own file under target/ (moto's default is ./moto_recording,
# shared by every server started from the same folder and never cleaned up).
RECORDINGS = Path(__file__).resolve().parents[2] / "target" / "emulator" / "recordings"
RECORDINGS.mkdir(parents=True, exist_ok=True)
# A recording path the caller chose is kept (an emulator forked by the launcher adds its pid to
# it); otherwise each emulator names its own (below).
CHOSEN_RECORDING = os.environ.get("MOTO_RECORDER_FILEPATH")
os.environ.setdefault("MOTO_RECORDER_FILEPATH", str(RECORDINGS / f"{os.getpid()}.jsonl"))
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import strict_cost  # noqa: E402
from extension import EmulatorServer  # noqa: E402  (after the environment is set)
from moto.moto_api import recorder  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402


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


def own_recording(forked):
    """The file this emulator records into when it names its own: by pid, under target/ or,
    forked from a launcher, beside the path the caller chose; None to keep the caller's path."""
    if CHOSEN_RECORDING is None:
        return RECORDINGS / f"{os.getpid()}.jsonl"
    return Path(f"{CHOSEN_RECORDING}.{os.getpid()}") if forked else None


def serve(port, parent, announce, forked=False):
    """Serves on `port` (0: a free one), writes the endpoint to `announce`, and runs until
    `parent` exits (0: until a signal) or a signal comes."""
    recording = own_recording(forked)
    if recording is not None:
        # moto's recorder read the path at import (in a launcher, the launcher's), so it reads
        # the variable again; a file left by an earlier process with this pid is emptied.
        os.environ["MOTO_RECORDER_FILEPATH"] = str(recording)
        recorder.__init__()
        recorder.reset_recording()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    port = port or free_port()
    server = EmulatorServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"http://127.0.0.1:{port}", file=announce, flush=True)
    if parent:
        threading.Thread(target=watch, args=(parent, stop), daemon=True).start()
    while not stop.wait(1):
        pass
    server.stop()
    strict_cost.write()
    if recording is not None:
        recording.unlink(missing_ok=True)


def launch(parent):
    """Forks an emulator for every line on stdin and writes its endpoint as a line on stdout,
    until stdin closes. Nothing has started a thread yet, so forking is safe; each child starts
    with moto's empty state and reseeds moto's generator, so resource ids differ between them.
    A child that cannot start prints why on stderr; the launcher then answers an empty line."""
    for _ in sys.stdin:
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read_end)
            # The child reads nothing and writes its endpoint only to the pipe.
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            status = 0
            try:
                mock_random.seed()
                with os.fdopen(write_end, "w") as announce:
                    serve(0, parent, announce, forked=True)
            except BaseException:  # noqa: B036 (the child must never return into the loop)
                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        with os.fdopen(read_end) as announced:
            print(announced.readline().strip(), flush=True)
        # Reap emulators that have stopped, so none stays a zombie while the run goes on.
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def main():
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--parent", type=int, default=os.getppid(),
                        help="stop when this process exits (default: the one that started us; "
                             "0: run until a signal)")
    parser.add_argument("--launcher", action="store_true",
                        help="start an emulator per line read on stdin (see above)")
    args = parser.parse_args()
    if args.launcher:
        launch(args.parent)
    else:
        serve(args.port, args.parent, sys.stdout)


if __name__ == "__main__":
    main()
