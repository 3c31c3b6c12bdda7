"""A plugin with a typo in its hook name: loading it must fail at start-up."""

from discuss import hookimpl


@hookimpl
def discuss_screen_coment(submission):  # sic
    return None
