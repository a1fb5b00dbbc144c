"""The Python tool environments are locked: each requirements.lock (made by tests/lock-python
from its requirements.txt) pins every package of the dependency tree with hashes, and agrees
with the pins it was made from. The tests install only the locks (`--require-hashes`)."""
import re

from cfn import REPO

LOCKED = ["tests/emulator", "tests/products", "tests/peers"]
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
    # tests/tools installs every Python environment (the emulator's, the validators', the
    # reference signers'); everything else asks it.
    text = (REPO / "tests/tools").read_text()
    for folder in LOCKED:
        assert f'"$root/{folder}/requirements.lock"' in text, folder
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert len(installs) == 2, installs
    for line in text.split("pip install")[1:]:
        assert "--require-hashes" in line.split("\n\n")[0].split(">&2")[0], line[:200]
    for script in ["tests/emulator/env.sh", "tests/products/run", "tests/bench/run",
                   "tests/support/peers.rs"]:
        body = (REPO / script).read_text()
        assert "pip install" not in body and "tests/tools" in body, script
