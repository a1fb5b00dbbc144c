"""The Python tool environments are locked: each requirements.lock (made by tests/lock-python
from its requirements.txt) pins every package of the dependency tree with hashes, and agrees
with the pins it was made from. The tests install only the locks (`--require-hashes`)."""
import re

from cfn import REPO

LOCKED = ["tests/uv", "tests/emulator", "tests/aws-account", "tests/products", "tests/peers"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)")


def _name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(text):
    return {_name(m.group(1)): m.group(3) for m in map(PIN.match, text.splitlines()) if m}


def test_every_lock_holds_the_pins_it_was_made_from():
    for folder in LOCKED:
        pins = _pins((REPO / folder / "requirements.txt").read_text())
        locked = _pins((REPO / folder / "requirements.lock").read_text())
        for name, version in pins.items():
            assert locked.get(name) == version, (
                f"{folder}/requirements.lock has {name} {locked.get(name)}, requirements.txt "
                f"pins {version}: run tests/lock-python")


def test_every_locked_package_has_a_hash():
    for folder in LOCKED:
        text = (REPO / folder / "requirements.lock").read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9])", text)
        for entry in entries:
            if PIN.match(entry):
                assert "--hash=sha256:" in entry, f"{folder}: {entry.splitlines()[0]} has no hash"


def test_the_installer_uses_the_locks_with_hashes():
    # tests/tools installs every Python environment (uv with pip, the others with uv); every
    # install names a lock and --require-hashes; nothing else installs Python packages.
    text = (REPO / "tests/tools").read_text()
    for folder in LOCKED:
        assert f'"$root/{folder}/requirements.lock"' in text, folder
    commands = re.findall(r"pip install(?:[^\n]*\\\n)*[^\n]*", text)
    assert len(commands) == 3, commands
    for command in commands:
        assert "--require-hashes" in command and "-r " in command, command
    for script in ["tests/emulator/env.sh", "tests/products/run", "tests/bench/run",
                   "tests/support/peers.rs"]:
        body = (REPO / script).read_text()
        assert "pip install" not in body and "tests/tools" in body, script
