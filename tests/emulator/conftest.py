"""Fixtures for the emulator's own tests: one emulator server (moto with the extension and the
edge) per test session, reached through boto3 the way the Rust SDK reaches it."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from extension import EmulatorServer  # noqa: E402


@pytest.fixture(scope="session")
def endpoint():
    server = EmulatorServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
