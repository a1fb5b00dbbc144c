# Sourced by serve, test and python: makes sure the emulator's Python environment exists and is
# current (tests/tools installs it into the test tool cache). Sets $root and $venv, and exports
# CFSIGN_LAMBDA_NODE_PATH, the AWS SDK for JavaScript the emulator's Node.js Lambda functions
# find on their module path (cfn_custom.py).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$("$root/tests/tools" emulator)"
CFSIGN_LAMBDA_NODE_PATH="$("$root/tests/tools" lambda-runtime)/node_modules"
export CFSIGN_LAMBDA_NODE_PATH
