"""Executes the Python code read from stdin (tests use it to make keys with `cryptography`)."""
import sys

exec(compile(sys.stdin.read(), "<test snippet>", "exec"))
