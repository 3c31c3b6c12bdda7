"""A third-party plugin that asks the history (so an isolated one needs its own connection)."""

from datetime import timedelta

from discuss import Verdict, hookimpl

name = "counting"


@hookimpl
def discuss_screen_comment(submission, settings, history):
    seen = history.recent_activity(ip_hash=submission.ip_hash, within=timedelta(hours=1))
    return Verdict.hold(f"seen {seen.by_ip.count} before", seen=seen.by_ip.count, setting_keys=sorted(settings))
