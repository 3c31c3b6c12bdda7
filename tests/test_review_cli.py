"""``discuss moderators``: add, token, list, disable, enable, password."""

from __future__ import annotations

import sqlalchemy as sa

from discuss.auth import authenticate, moderator_for_token
from discuss.extensions import db
from discuss.models import ApiToken, Moderator
from discuss.review.cli import moderators
from tests.reviewing import PASSWORD, other_site  # noqa: F401


def test_add_with_password_on_stdin_then_sign_in(runner, site, other_site):
    result = runner.invoke(moderators, ["add", "Mod@Council.example", "--name", "Mo Derator",
                                        "--site", "council", "--site", "other", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "moderator mod@council.example added (council, other)" in result.output
    moderator = authenticate("mod@council.example", PASSWORD)
    assert moderator is not None and moderator.name == "Mo Derator"
    assert PASSWORD not in moderator.password_hash


def test_add_prompts_for_the_password_twice(runner, site):
    result = runner.invoke(moderators, ["add", "admin@discuss.example", "--name", "Ad Min", "--role", "admin"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "admin admin@discuss.example added (every site)" in result.output
    assert authenticate("admin@discuss.example", PASSWORD).role == "admin"


def test_add_refuses_bad_input(runner, site):
    cases = [
        (["add", "a@b.example", "--name", "A"], "--site"),  # a moderator needs a site
        (["add", "a@b.example", "--name", "A", "--site", "nowhere", "--password-stdin"], "no site"),
        (["add", "a@b.example", "--name", "A", "--site", "council", "--role", "boss", "--password-stdin"], "boss"),
        (["add", "a@b.example", "--name", "A", "--site", "council", "--password-stdin"], "at least"),
    ]
    for args, message in cases:
        result = runner.invoke(moderators, args, input="short\n" if "at least" == message else PASSWORD + "\n")
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Moderator)).scalar_one() == 0
    runner.invoke(moderators, ["add", "a@b.example", "--name", "A", "--site", "council", "--password-stdin"],
                  input=PASSWORD + "\n")
    again = runner.invoke(moderators, ["add", "A@b.example", "--name", "A", "--site", "council",
                                       "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "exists already" in again.output


def test_token_list_disable_enable(runner, site):
    runner.invoke(moderators, ["add", "mod@council.example", "--name", "Mo", "--site", "council",
                               "--password-stdin"], input=PASSWORD + "\n")
    issued = runner.invoke(moderators, ["token", "mod@council.example"])
    assert issued.exit_code == 0
    token = issued.output.strip().splitlines()[-1]
    assert moderator_for_token(token).email == "mod@council.example"
    assert token not in db.session.execute(sa.select(ApiToken.token_hash)).scalar_one()

    listed = runner.invoke(moderators, ["list"]).output
    assert "mod@council.example\tMo\tmoderator\tactive\tcouncil\t1 token(s)\ttoken last used " in listed

    disabled = runner.invoke(moderators, ["disable", "mod@council.example"])
    assert "disabled; 1 token(s) revoked" in disabled.output
    assert moderator_for_token(token) is None
    assert authenticate("mod@council.example", PASSWORD) is None
    assert "\tdisabled\t" in runner.invoke(moderators, ["list"]).output
    assert runner.invoke(moderators, ["token", "mod@council.example"]).exit_code != 0

    runner.invoke(moderators, ["enable", "mod@council.example"])
    assert authenticate("mod@council.example", PASSWORD) is not None
    assert moderator_for_token(token) is None  # revoked tokens stay revoked


def test_password_and_unknown_emails(runner, site):
    runner.invoke(moderators, ["add", "mod@council.example", "--name", "Mo", "--site", "council",
                               "--password-stdin"], input=PASSWORD + "\n")
    changed = runner.invoke(moderators, ["password", "mod@council.example", "--password-stdin"],
                            input="a different passphrase\n")
    assert changed.exit_code == 0
    assert authenticate("mod@council.example", "a different passphrase") is not None
    for command in ("token", "disable", "enable", "password"):
        result = runner.invoke(moderators, [command, "nobody@council.example"], input="x\n")
        assert result.exit_code != 0 and "no moderator nobody@council.example" in result.output


def test_the_discuss_command_lists_moderators(runner):
    result = runner.invoke(args=["moderators", "--help"])
    assert result.exit_code == 0
    for command in ("add", "token", "list", "disable"):
        assert command in result.output


def test_account_changes_from_the_command_line_are_audited(runner, site):
    from discuss.models import ModeratorAction
    from discuss.staff import DISABLED, ENABLED, PASSWORD_SET

    runner.invoke(moderators, ["add", "mod@council.example", "--name", "Mo", "--site", "council",
                               "--password-stdin"], input=PASSWORD + "\n")
    runner.invoke(moderators, ["token", "mod@council.example"])
    runner.invoke(moderators, ["disable", "mod@council.example"])
    runner.invoke(moderators, ["disable", "mod@council.example"])  # already disabled: nothing to record
    runner.invoke(moderators, ["enable", "mod@council.example"])
    runner.invoke(moderators, ["password", "mod@council.example", "--password-stdin"], input="another passphrase\n")

    entries = db.session.execute(sa.select(ModeratorAction).order_by(ModeratorAction.id)).scalars().all()
    mine = [e for e in entries if e.subject == "moderator:mod@council.example"]
    assert [(e.action, e.moderator_id, e.reason) for e in mine][-3:] == [
        (DISABLED, None, "command line"), (ENABLED, None, "command line"), (PASSWORD_SET, None, "command line")]
    disabled = mine[-3]
    assert disabled.before == {"active": True} and disabled.after == {"active": False, "tokens_revoked": 1}
    assert disabled.site_id == site.id  # site admins see it in their audit log
