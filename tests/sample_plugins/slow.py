"""A third-party plugin that takes its time but keeps within its budget: sleeps
``SLOW_SECONDS`` (1 s) of a 10 s budget, so a request spends a while screening. With
``SLOW_FLAG`` set to a path it is slow only while that file exists."""

import os
import time

from discuss import hookimpl

name = "slow"
timeout = 10.0


@hookimpl
def discuss_screen_comment(submission):
    flag = os.environ.get("SLOW_FLAG")
    if flag is None or os.path.exists(flag):
        time.sleep(float(os.environ.get("SLOW_SECONDS", "1")))
    return None
