"""The local AWS emulator for cfsign's tests and quickstart: moto's server on loopback.

Test infrastructure, not a product: it stands in for AWS so no test reaches a real account.
Usage: python server.py [--port N]   (0 or absent: a free port)

Prints the endpoint URL as its first line (a distribution's viewer endpoint, the edge, is at
ENDPOINT/_edge/<distribution-id>/), then serves until stdin closes (the process that
started it exited) or it is interrupted. moto's request recorder is on, so tests can read the
log of every request (/moto-api/recorder/download-recording) to prove what a run sent.
"""
import argparse
import logging
import os
import socket
import sys
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

from extension import EmulatorServer  # noqa: E402  (after the environment is set)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet():
    # One line per request, and a warning per resource type moto lacks, drown test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module="moto")


def main():
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    args = parser.parse_args()
    port = args.port or free_port()
    server = EmulatorServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"http://127.0.0.1:{port}", flush=True)

    stop = threading.Event()

    def watch_stdin():
        # EOF on stdin means whoever started us is gone: stop instead of lingering.
        while sys.stdin.read(1):
            pass
        stop.set()

    if not sys.stdin.isatty():
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    RECORDING.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
