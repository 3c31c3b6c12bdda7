"""The toxicity plugin: the model's scores, its threshold, and the patterns it needs."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings, run_plugin
from discuss_builtins import toxicity

SAMPLES = [
    "you are an idiot", "what an absolute moron", "the bins were not emptied", "", "!!!",
    "I am a proud gay man and I support this", "Thanks for the helpful guidance on purdah.",
    "shut up you fat cow", "kill the proposal", "x" * 5000, "émigré café naïve", "1234",
]


def test_scores_equal_the_librarys():
    from profanity_check import predict_prob

    model = toxicity.get_model()
    expected = predict_prob(SAMPLES)
    for text, reference in zip(SAMPLES, expected):
        assert model.probability(text) == pytest.approx(float(reference), abs=1e-9), text


# ASCII words and punctuation with what residents paste: curly quotes, ellipses, no-break
# spaces, accents, other scripts, combining marks, a ligature, a lone surrogate.
_PASTED = st.text(alphabet=st.sampled_from(
    list("abcXYZ019_ .,!?'-:\t\n@$") + list("“”‘’…\u00a0£éÉßẞçİΣσςΑΒ\u0301\ufb01\u200bжЖ中文\u2028²\U0001d41b\ud800"
                                           "\u212a\u2126\u0130\u1e9e\u1f88")),
    max_size=120)
_ANY_TEXT = st.one_of(_PASTED, st.text(max_size=80))


@hsettings(max_examples=400, deadline=None)
@given(_ANY_TEXT)
def test_word_counts_are_the_vectorisers_tokens(text):
    """The split-based tokeniser counts exactly the runs the regex finds in the lower-cased
    text (single ASCII characters aside, which no word of the vocabulary is): capital sigma
    by its neighbours, capital I with dot above as two characters, the Kelvin sign as k."""
    counted = toxicity.word_counts(text)
    assert +Counter({word: n for word, n in counted.items() if len(word) > 1}) == \
        Counter(re.findall(r"\w\w+", text.lower()))
    assert all(len(word) == 1 and word.isascii() for word, n in counted.items() if n and len(word) == 1)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["you", "idiot", "the", "bins", "“moron”", "café", "shut", "up", "…", "Hell",
                                 "Σ", "stupid", "naïve", "fat", "cow", ",", "\u00a0", "kill"]), max_size=30))
def test_scores_equal_the_librarys_on_generated_comments(words):
    from profanity_check import predict_prob

    text = " ".join(words)
    assert toxicity.get_model().probability(text) == pytest.approx(float(predict_prob([text])[0]), abs=1e-9)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["i", "will", "find", "you", "they", "should", "be", "shot", "immigrants", "are",
                                 "vermin", "send", "them", "back", "kys", "the", "bins", "Kill", "yourself", ".",
                                 "“", "watch", "your", "back"]), max_size=14))
def test_the_one_pass_check_finds_a_pattern_whenever_a_kind_does(words):
    from discuss.textnorm import normalise

    text = " ".join(words)
    by_kind = [(*normalise(text).original_span(*m.span()), kind)
               for kind, regex in toxicity._PATTERNS.items() for m in regex.finditer(normalise(text).text)]
    assert toxicity.find_patterns(text) == sorted(by_kind)


def test_ignored_words_are_left_out_as_if_unknown():
    model = toxicity.get_model()
    text = "what an absolute idiot, the bins were late"
    ignored = model.probability(text, ignore=frozenset({"idiot"}))
    assert ignored == pytest.approx(model.probability("what an absolute, the bins were late"), abs=1e-12)
    assert ignored < model.probability(text)
    # Each set of ignored words is remembered, not the first one asked for.
    assert model.probability(text, ignore=frozenset({"bins"})) != ignored


def test_model_loads_once():
    assert toxicity.get_model() is toxicity.get_model()


@pytest.mark.parametrize("text", [
    "shut up you fat cow",
    # Threats and dehumanising language: the model misses these, the patterns do not.
    "I will find where you live and hurt you", "you should be shot", "kill yourself",
    "Immigrants are vermin", "travellers are nothing but parasites", "those people should be exterminated",
    "go back to where you came from", "councillors should be hanged", "I hope you die",
])
def test_abuse_threats_and_dehumanising_language_hold(text):
    verdict = run_plugin(toxicity, text)
    assert verdict is not None and verdict.decision == "hold", text
    assert verdict.reason == "may break the house rules"


@pytest.mark.parametrize("text", [
    # Counter-speech and neutral mentions of identities.
    "Calling people vermin is dehumanising and wrong.", "As a Muslim resident I welcome the new centre.",
    "I am a proud gay man and I support this.", "Racism has no place in our town.",
    "The travellers' site consultation is open until May.", "Black history month events at the library.",
    "Refugees are welcome here.", "Disabled people need step-free access at the station.",
    "The rats in the alley need pest control.", "Kill the proposal, it is a waste of money.",
    "Women are under-represented on the council.",
])
def test_counter_speech_and_neutral_mentions_publish(text):
    assert run_plugin(toxicity, text) is None, text


@pytest.mark.parametrize("text", [
    "That councillor is a pathetic coward.", "Our MP is a disgrace and should resign.",
    "Whoever designed this junction is an idiot.", "The library website is pathetic.",
    "The leisure centre is disgusting and filthy.", "That cake was to die for.",
])
def test_criticism_of_people_spoken_about_and_of_things_publishes(text):
    assert run_plugin(toxicity, text) is None, text
    held = run_plugin(toxicity, text, {"ignore_criticism": False})
    assert held is not None and held.details["source"] == "model", text


def test_threshold_is_per_site():
    # The model gives this harmless sentence 0.50: why the default threshold is high.
    assert run_plugin(toxicity, "kill the proposal") is None
    assert run_plugin(toxicity, "kill the proposal", {"threshold": 0.5}).details["source"] == "model"


def test_swearing_is_left_to_the_profanity_plugin():
    assert run_plugin(toxicity, "What the hell is going on with the permits? Damn annoying.") is None
    assert run_plugin(toxicity, "These f*cking potholes!") is None
    assert run_plugin(toxicity, "These f*cking potholes!", {"ignore_swearing": False}).decision == "hold"
    # The insult remains for sites that hold insults to commenters (the profanity plugin holds the rest).
    assert run_plugin(toxicity, "you fucking idiot", {"hold_insults_to_commenters": True}).decision == "hold"


def test_patterns_and_model_can_be_switched_off():
    assert run_plugin(toxicity, "you should be shot", {"patterns": False}) is None
    assert run_plugin(toxicity, "you are an idiot", {"model": False}) is None


def test_details_carry_probability_and_spans():
    text = "Honestly, immigrants are vermin."
    verdict = run_plugin(toxicity, text)
    (span,) = verdict.details["spans"]
    assert text[span[0]:span[1]] == "immigrants are vermin"
    assert 0 <= verdict.details["probability"] <= 1


@pytest.mark.parametrize("settings, field", [({"threshold": 1.5}, "threshold"), ({"model": "sometimes"}, "model")])
def test_wrong_settings_name_the_field(settings, field):
    with pytest.raises(PluginSettingsError, match=rf"plugin 'toxicity': {field}"):
        load_settings(toxicity, settings)


@pytest.mark.parametrize("text", [
    "you are an idiot", "you absolute moron", "get lost you loser", "I hate you", "You make me sick.",
    "What a stupid, ignorant man our MP is.",
])
def test_insults_to_one_person_publish_unless_the_site_holds_them(text):
    """Abuse of one person is not hate: it publishes (readers can report it) unless the house rules say."""
    assert run_plugin(toxicity, text) is None, text
    if toxicity._addresses_someone(text):
        held = run_plugin(toxicity, text, {"hold_insults_to_commenters": True})
        assert held is not None and held.details["source"] == "model", text
