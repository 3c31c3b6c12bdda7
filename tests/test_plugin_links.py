"""The links and spam plugin: honeypot, links, domains, duplicates, spam patterns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings, make_submission, run_plugin
from discuss_builtins import links
from tests.plugin_helpers import age_comments, configure, post_as


def test_honeypot_rejects_silently(client, site):
    response = post_as(client, "Great article", website="http://spam.example")
    assert response.status_code == 202  # the bot is told it waits for review
    assert run_plugin(links, make_submission(extra={"website": "x"})).silent is True


def test_two_links_publish_three_hold():
    two = "See https://a.example/x and www.b.example/y"
    assert run_plugin(links, two) is None
    verdict = run_plugin(links, two + " and c-d.co.uk/page")
    assert verdict.decision == "hold"
    assert verdict.details["links"] == 3
    assert [two + " and c-d.co.uk/page"][0][slice(*verdict.details["spans"][2])] == "c-d.co.uk/page"


def test_allowed_domains_do_not_count_and_denied_ones_reject():
    text = "https://council.gov.uk/a https://www.council.gov.uk/b https://maps.example/c"
    assert run_plugin(links, text, {"max_links": 1, "allow_domains": ["council.gov.uk"]}) is None
    verdict = run_plugin(links, "cheap stuff at http://shop.spam.example/buy", {"deny_domains": ["spam.example"]})
    assert verdict.decision == "reject"
    assert verdict.details["domains"] == ["shop.spam.example"]
    assert run_plugin(links, "see notspam.example", {"deny_domains": ["spam.example"]}) is None


def test_zero_links_allowed_holds_any_link():
    assert run_plugin(links, "www.example.org", {"max_links": 0}).decision == "hold"


def test_duplicate_from_same_address_rejects_in_the_same_thread(client, site):
    assert post_as(client, "The bins were late again.").status_code == 201
    again = post_as(client, "the  bins were late again.")
    assert again.status_code == 422
    assert again.json["errors"]["body"] == ["You have already posted this comment."]
    # Someone else may say the same thing; so may the same person on another page.
    assert post_as(client, "The bins were late again.", ip="198.51.100.2").status_code == 201
    other_page = "/api/v1/sites/council/threads/news"
    assert post_as(client, "The bins were late again.", url=other_page).status_code == 201


def test_duplicate_by_email_and_site_scope(client, site):
    configure(site, "links", duplicate_scope="site")
    assert post_as(client, "Buy my thing", email="a@example.org").status_code == 201
    moved = post_as(client, "Buy my thing", email="A@example.org", ip="198.51.100.9",
                    url="/api/v1/sites/council/threads/news")
    assert moved.status_code == 422


def test_duplicate_window_ends(client, site):
    assert post_as(client, "Same again").status_code == 201
    age_comments(61)
    assert post_as(client, "Same again").status_code == 201


@pytest.mark.parametrize("text", [
    "Best online casino bonuses here", "Earn £500 per day working from home",
    "Contact me on WhatsApp for crypto investment profits", "We offer SEO services",
    "buy cheap followers now", "Need a spell caster? Message me via telegram",
])
def test_spam_patterns_hold(text):
    assert run_plugin(links, text).reason == "looks like spam"


@pytest.mark.parametrize("text", [
    "The casino planning application should be refused.", "I work from home and the noise is awful.",
    "Can the council explain its crypto policy?", "Our SEO team? No, we're volunteers.",
])
def test_ordinary_mentions_are_not_spam(text):
    assert run_plugin(links, text) is None


def test_disguised_letters_hold_but_other_scripts_do_not():
    assert run_plugin(links, "𝗳𝗿𝗲𝗲 𝗺𝗼𝗻𝗲𝘆").reason == "disguised letters"
    assert run_plugin(links, "Whаt a deal").reason == "disguised letters"   # Cyrillic а
    assert run_plugin(links, "Спасибо за информацию, café ok") is None


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"site 'borough', plugin 'links': max_links"):
        load_settings(links, {"max_links": -1}, site="borough")
    with pytest.raises(PluginSettingsError, match="duplicate_scope"):
        load_settings(links, {"duplicate_scope": "planet"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["online", "casino", "Casino", "bonus", "work", "from", "home", "earn", "£", "$",
                                 "50", "per", "day", "whatsapp", "contact", "me", "on", "“", "é", "ｃasino", "the"]),
                max_size=12).map(" ".join))
def test_the_spam_check_on_utf8_finds_what_the_text_search_finds(text):
    from discuss.textnorm import normalise

    norm = normalise(text)
    assert (links._SPAM_UTF8.search(norm.utf8) is None) == (links._SPAM.search(norm.text) is None)
