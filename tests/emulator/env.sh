# Sourced by serve and test: makes sure the emulator's Python environment exists and is current.
# Sets $venv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/target/emulator/venv"
stamp="$venv/.requirements"
# The lock (tests/lock-python makes it from requirements.txt) pins every package with hashes.
lock="$root/tests/emulator/requirements.lock"
if ! cmp -s "$lock" "$stamp" 2>/dev/null; then
  echo "emulator: installing moto into $venv (once)" >&2
  python3 -m venv "$venv" || {
    echo "emulator: python3 cannot create a venv: apt-get install python3-venv" >&2
    exit 2
  }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r "$lock" >&2
  cp "$lock" "$stamp"
fi
