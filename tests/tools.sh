# Sourced by the test scripts: where the pinned test tools live, and how they are made.
#
# Tool environments (the emulator's moto, the validators, the reference signers) live outside
# the clone, in a cache keyed by the hash of the lock that pins them: a fresh machine installs
# each once, a warm one (or a second clone) reuses it, and a changed pin makes a new one.
# CFSIGN_TEST_CACHE moves the cache; tests/support/mod.rs reads the same variable and default.
tool_cache="${CFSIGN_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cfsign-tests}"

# tool_dir NAME FILE...: the cache directory for the tool NAME pinned by FILEs.
tool_dir() {
  local name=$1
  shift
  echo "$tool_cache/$name-$(cat "$@" | sha256sum | cut -c1-16)"
}

# tool_ready DIR: whether DIR was made completely (make_tool writes its stamp last).
tool_ready() {
  [ -e "$1/.complete" ]
}

# make_tool DIR COMMAND...: runs COMMAND (which fills $1, passed as its last argument) once,
# under a lock so that concurrent runs wait rather than build twice; a run that was killed
# halfway leaves no stamp, so the next one starts again from an empty directory.
make_tool() {
  local dir=$1
  shift
  mkdir -p "$tool_cache"
  (
    flock 9
    if ! tool_ready "$dir"; then
      rm -rf "$dir"
      mkdir -p "$dir"
      "$@" "$dir"
      touch "$dir/.complete"
    fi
  ) 9>"$dir.lock"
}
