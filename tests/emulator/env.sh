# Sourced by serve, test and python: makes sure the emulator's Python environment exists and is
# current (in the test tool cache, tests/tools.sh). Sets $root and $venv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tests/tools.sh"
# The lock (tests/lock-python makes it from requirements.txt) pins every package with hashes.
lock="$root/tests/emulator/requirements.lock"
venv="$(tool_dir emulator "$lock")"

install_emulator() {
  echo "emulator: installing moto into $1 (once)" >&2
  python3 -m venv "$1" || {
    echo "emulator: python3 cannot create a venv: apt-get install python3-venv" >&2
    exit 2
  }
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r "$lock" >&2
}
tool_ready "$venv" || make_tool "$venv" install_emulator
