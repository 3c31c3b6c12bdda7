"""A third-party plugin with a catastrophic regular expression: Python's re holds the
interpreter lock for as long as it backtracks (about forever on "a" * 40 + "!")."""

import re

from discuss import Verdict, hookimpl

name = "runaway"
timeout = 1.0

_NESTED = re.compile(r"^(a+)+$")


@hookimpl
def discuss_screen_comment(submission):
    if _NESTED.match(submission.body):
        return Verdict.hold("all a's")
    return None
