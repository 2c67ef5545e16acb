"""Run a program in a process of its own on the test's clock, not the machine's:

    python tests/clocked.py 2026-11-24T09:30:00+08:00 gunicorn --workers 1 … app:app

A server a test starts (tests/test_crash.py) must agree with the test about what "now" is,
or a class the test made "in two days" may already have begun for the server."""

import sys
from datetime import datetime

import time_machine

if __name__ == "__main__":
    time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
    program, sys.argv = sys.argv[2], sys.argv[2:]
    if program == "gunicorn":
        from gunicorn.app.wsgiapp import run

        sys.exit(run())
    raise SystemExit(f"clocked.py does not know how to start {program}")
