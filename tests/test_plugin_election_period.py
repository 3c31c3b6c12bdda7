"""The election period plugin: holds political comments during configured periods."""

from __future__ import annotations

from datetime import datetime

import pytest

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings, make_submission, run_plugin
from discuss_builtins import election_period

SETTINGS = {
    "periods": [{"start": "2027-03-25", "end": "2027-05-06", "name": "local elections"}],
    "candidates": [{"name": "Jane Smith", "email": "jane@example.org"}, {"name": "Tom O'Neill"}],
    "councillor_emails": ["cllr.jones@council.example"],
    "parties": ["Green Party", "Reform UK"],
}
DURING = datetime(2027, 4, 20, 12, 0)
BEFORE = datetime(2027, 3, 24, 23, 59)


def during(body: str, **fields):
    return make_submission(body, received_at=DURING, **fields)


@pytest.mark.parametrize("body", [
    "Vote for Jane Smith!", "jane   SMITH has my support", "I trust Tom O'Neill on this",
    "The green party would fix the bins", "REFORM UK will sort it", "Jаne Smith",  # Cyrillic а
])
def test_naming_candidates_or_parties_holds_during_a_period(body):
    verdict = run_plugin(election_period, during(body), SETTINGS)
    assert verdict.decision == "hold"
    assert verdict.reason == "pre-election period"
    assert verdict.details["period"] == "local elections"
    (span,) = verdict.details["spans"]
    assert span[1] > span[0]


@pytest.mark.parametrize("email", ["jane@example.org", "Cllr.Jones@council.example"])
def test_comments_by_candidates_and_councillors_hold(email):
    verdict = run_plugin(election_period, during("The bins are fine.", author_email=email), SETTINGS)
    assert verdict.details["by"] == "candidate or councillor"


@pytest.mark.parametrize("body", [
    "The greenery in the park is lovely", "Jane Smithson runs the cafe", "Reform of the bin rota",
    "A party in the park", "Please fix the streetlights.",
])
def test_other_comments_pass_during_a_period(body):
    assert run_plugin(election_period, during(body), SETTINGS) is None


def test_outside_the_period_nothing_holds():
    assert run_plugin(election_period, make_submission("Vote Jane Smith", received_at=BEFORE), SETTINGS) is None
    last_day = make_submission("Vote Jane Smith", received_at=datetime(2027, 5, 6, 22, 0))
    assert run_plugin(election_period, last_day, SETTINGS).decision == "hold"


def test_no_periods_no_opinion():
    assert run_plugin(election_period, during("Vote Jane Smith")) is None


@pytest.mark.parametrize("settings, field", [
    ({"periods": [{"start": "2027-05-06", "end": "2027-04-01"}]}, "end is before start"),
    ({"periods": [{"start": "someday", "end": "2027-04-01"}]}, "periods"),
    ({"councillor_emails": ["not an email"]}, "councillor_emails"),
])
def test_wrong_settings_name_the_field(settings, field):
    with pytest.raises(PluginSettingsError) as raised:
        load_settings(election_period, settings, site="borough")
    assert "plugin 'election_period'" in str(raised.value) and field in str(raised.value)
