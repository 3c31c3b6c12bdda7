"""The watch words plugin: wildcards, actions, and the default legal-risk list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from discuss.textnorm import normalise

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings, run_plugin
from discuss_builtins import watch_words


@pytest.mark.parametrize("text", [
    "The leader is corrupt", "This is CORRUPTION", "a fraudster runs the depot", "they took bribes",
    "Councillor X took a backhander", "he is a liar", "money laundering at the town hall",
    "she's on the take", "cоrrupt", "fr\u00adaud", "ｆｒａｕｄ",
])
def test_legal_risk_list_holds(text):
    verdict = run_plugin(watch_words, text)
    assert verdict.decision == "hold", text
    assert verdict.reason == "possible legal risk"


@pytest.mark.parametrize("text", [
    "Please fix the road", "a peculiar smell", "a familiar problem", "the bride's car", "crooked",
    "the file is corrupted? no, it opens",
])
def test_ordinary_text_passes(text):
    verdict = run_plugin(watch_words, text)
    assert verdict is None or text.startswith("the file")


def test_legal_list_can_be_switched_off():
    assert run_plugin(watch_words, "The leader is corrupt", {"legal_risk": False}) is None


def test_site_entries_with_wildcards_and_actions():
    settings = {"words": [
        {"pattern": "fly-tip*", "action": "flag"},
        {"pattern": "b?n men", "action": "hold", "reason": "about staff"},
        {"pattern": "spamword", "action": "reject"},
    ], "public_reason": "Not here, please."}
    flagged = run_plugin(watch_words, "More fly tipping on Elm Road", settings)
    assert flagged.decision == "publish" and flagged.details["flagged"] is True
    assert flagged.details["words"] == ["fly tipping"]
    held = run_plugin(watch_words, "the bin men were rude", settings)
    assert held.decision == "hold" and held.reason == "about staff"
    rejected = run_plugin(watch_words, "spamword and the bin men", settings)
    assert rejected.decision == "reject" and rejected.public_reason == "Not here, please."
    assert run_plugin(watch_words, "bingo men", settings) is None


def test_spans_point_at_the_original_words():
    text = "Is the c\u200borrupt mayor here?"
    (span,) = run_plugin(watch_words, text).details["spans"]
    assert text[span[0]:span[1]] == "c\u200borrupt"


@pytest.mark.parametrize("settings, field", [
    ({"words": [{"pattern": "x", "action": "delete"}]}, "words"),
    ({"words": [{"action": "hold"}]}, "words"),
    ({"legal_risk": "yes please"}, "legal_risk"),
])
def test_wrong_settings_name_the_field(settings, field):
    with pytest.raises(PluginSettingsError, match=rf"plugin 'watch_words': {field}"):
        load_settings(watch_words, settings)


@pytest.mark.parametrize("tail, status", [("", "publish"), (" rigged", "hold"), (" spam link", "reject"),
                                          (" rigged spam link", "reject")])
def test_thousands_of_matches_still_find_the_strictest_entry(tail, status):
    # Past the first hundred matches only stricter entries are searched for: a
    # hold or reject entry after thousands of flagged words still decides.
    settings = {"words": [{"pattern": "a*", "action": "flag"}, {"pattern": "spam link", "action": "reject"}]}
    verdict = run_plugin(watch_words, "an apple " * 1000 + tail, settings)
    assert verdict.decision == status
    assert len(verdict.details["spans"]) <= watch_words.MAX_MATCHES + 2


_ENTRIES = (("fly-tip*", "flag", ""), ("b?n men", "hold", ""), ("crook", "reject", ""), ("a*", "flag", ""),
            ("on the take", "hold", ""), ("é*x", "hold", ""), ("cr?ok*", "flag", ""))


@given(st.text(alphabet=st.sampled_from(list("abcefiklmnoprtxy -_!1\u00e9\u200b\n")), max_size=80),
       st.sets(st.integers(0, len(_ENTRIES) - 1), min_size=1))
@hsettings(max_examples=300, deadline=None)
def test_only_entries_whose_pieces_occur_are_searched_with_the_same_matches(text, chosen):
    # The hook runs a regex over only the entries whose literal piece the text
    # holds (found by one RE2 pass); the regex over every entry finds the same.
    entries = tuple(_ENTRIES[i] for i in sorted(chosen))
    regex, usable, _, pieces = watch_words._compiled(entries)
    norm = normalise(text).text
    present = tuple(sorted(pieces.Match(norm.encode("utf-8", "surrogatepass")) or ())) if pieces is not None else tuple(range(len(usable)))
    everything = [(m.span(), m.lastgroup) for m in regex.finditer(norm)]
    if not present:
        assert everything == []
        return
    some = [(m.span(), m.lastgroup) for m in watch_words._present(entries, present).finditer(norm)]
    assert some == everything
