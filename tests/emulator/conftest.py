"""Fixtures for the emulator's own tests: one emulator server (moto with the extension and the
edge) per test session, reached through boto3 the way the Rust SDK reaches it."""
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from extension import EmulatorServer  # noqa: E402


@pytest.fixture(scope="session")
def endpoint():
    server = EmulatorServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # The tests share one account across dozens of teams, as an account whose CloudFront quotas
    # were raised would; the quota tests (test_cloudfront_account.py) set their own.
    requests.post(f"{url}/_cloudfront", json={"quotas": RAISED_QUOTAS}).raise_for_status()
    yield url
    server.stop()


RAISED_QUOTAS = {"public_keys": 200, "key_groups": 200, "response_headers_policies": 200}
