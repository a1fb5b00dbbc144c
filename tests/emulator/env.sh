# Sourced by serve, test and python: makes sure the emulator's Python environment exists and is
# current (tests/tools installs it into the test tool cache). Sets $root and $venv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$("$root/tests/tools" emulator)"
