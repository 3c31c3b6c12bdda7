"""A third-party plugin that hangs: each call sleeps 30 s (``HANGING_SECONDS``), far past
its 1 s budget. With ``HANGING_FLAG`` set to a path it hangs only while that file exists
(so a benchmark can switch the fault on and off without restarting the server)."""

import os
import time

from discuss import hookimpl

name = "hanging"
timeout = 1.0


@hookimpl
def discuss_screen_comment(submission):
    flag = os.environ.get("HANGING_FLAG")
    if flag is None or os.path.exists(flag):
        time.sleep(float(os.environ.get("HANGING_SECONDS", "30")))
    return None
