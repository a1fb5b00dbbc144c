# Sourced by serve and test: makes sure the emulator's Python environment exists and is current.
# Sets $venv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/target/emulator/venv"
stamp="$venv/.requirements"
if ! cmp -s "$root/tests/emulator/requirements.txt" "$stamp" 2>/dev/null; then
  echo "emulator: installing moto into $venv (once)" >&2
  python3 -m venv "$venv" || {
    echo "emulator: python3 cannot create a venv: apt-get install python3-venv" >&2
    exit 2
  }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/tests/emulator/requirements.txt" >&2
  cp "$root/tests/emulator/requirements.txt" "$stamp"
fi
