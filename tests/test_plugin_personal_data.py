"""The personal data plugin: phone numbers, emails, NI and card numbers, addresses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings, run_plugin
from discuss_builtins import personal_data
from discuss_builtins.personal_data import luhn_valid


@pytest.mark.parametrize("text, kind, found", [
    ("Ring me on 07700 900123 after six", "phone number", "07700 900123"),
    ("call +44 7700 900 123", "phone number", "+44 7700 900 123"),
    ("my landline (020) 7946 0018", "phone number", "(020) 7946 0018"),
    ("+44 (0)161 496 0000 any time", "phone number", "+44 (0)161 496 0000"),
    ("01632-960-001", "phone number", "01632-960-001"),
    ("email jo.bloggs+council@example.com please", "email address", "jo.bloggs+council@example.com"),
    ("His NI number is AB 12 34 56 C", "National Insurance number", "AB 12 34 56 C"),
    ("ab123456c", "National Insurance number", "ab123456c"),
    ("card 4111 1111 1111 1111 exp 12/29", "card number", "4111 1111 1111 1111"),
    ("5500-0000-0000-0004", "card number", "5500-0000-0000-0004"),
    ("She lives at 14 Acacia Avenue, Leeds LS6 2AB", "address", "14 Acacia Avenue, Leeds LS6 2AB"),
    ("Flat 3, Mill House, SW1A 1AA", "address", "Flat 3, Mill House, SW1A 1AA"),
])
def test_personal_data_holds_with_spans(text, kind, found):
    verdict = run_plugin(personal_data, text)
    assert verdict.decision == "hold"
    assert verdict.reason == "personal information"
    assert verdict.details["kinds"] == [kind]
    (span,) = verdict.details["spans"]
    assert text[span[0]:span[1]] == found


@pytest.mark.parametrize("text", [
    "The meeting is on 12 March 2026 at 7pm in room 101.",
    "Call the council on 0300 123 4567 or 0800 555 0000.",          # organisations' numbers
    "Email planning@leeds.gov.uk or the surgery at info@nhs.uk.",    # public-sector addresses
    "Order 4111 1111 1111 1112 is not a card (fails Luhn).",
    "The LS6 postcode area has new bins.", "Our postcode is LS6 2AB.",  # a postcode alone
    "Section 12 of the Road Traffic Act", "Reference 2026/01234/FUL",
    "Population 1,234,567 in 2021", "QQ 12 34 56 C is HMRC's example, never issued", "Tel aviv", "123456789012345678901234567890",
    "The A64 from York", "I was born in 1984 and moved here in 2001.",
])
def test_ordinary_numbers_pass(text):
    assert run_plugin(personal_data, text) is None


def test_each_check_can_be_switched_off():
    assert run_plugin(personal_data, "07700 900123", {"phone_numbers": False}) is None
    assert run_plugin(personal_data, "me@example.com", {"email_addresses": False}) is None
    assert run_plugin(personal_data, "me@example.com", {"public_email_domains": ["example.com"]}) is None
    assert run_plugin(personal_data, "4111111111111111", {"card_numbers": False}) is None
    assert run_plugin(personal_data, "AB123456C", {"national_insurance": False}) is None
    assert run_plugin(personal_data, "14 Acacia Avenue LS6 2AB", {"addresses": False}) is None


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")


def test_on_by_default_through_the_api(client, site):
    from tests.helpers import post

    response = post(client, "Text me on 07700 900123 about the allotment")
    assert response.status_code == 202


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"site 'x', plugin 'personal_data': phone_numbers"):
        load_settings(personal_data, {"phone_numbers": "maybe"}, site="x")


class _EveryLook:
    """Stands in for the RE2 first looks: every look passes (the Python checks decide alone)."""

    def Match(self, text):  # noqa: N802 (RE2's name)
        return [0, 1, 2, 3]


@given(st.text(alphabet=st.sampled_from(list("0123456789 -()+@.abcdAZLS\u00a0\u2003\u0663\ud800\n")), max_size=60)
       | st.text(max_size=40))
@hsettings(max_examples=400, deadline=None)
def test_the_one_pass_first_looks_rule_out_nothing_the_python_checks_find(text):
    settings = load_settings(personal_data)
    fast = personal_data.find_personal_data(text, settings)
    saved = personal_data._FIRST_LOOKS
    personal_data._FIRST_LOOKS = _EveryLook()
    try:
        assert personal_data.find_personal_data(text, settings) == fast
    finally:
        personal_data._FIRST_LOOKS = saved
