"""Personal data: hold comments that publish someone's contact or identity details.

Residents post their own phone number ("ring me on ...") or a neighbour's
address without thinking; once public it cannot be taken back. Each check finds
a *shape* and, where one exists, verifies it (a card number must pass the Luhn
check; a National Insurance number must use letters HMRC issues). Organisation
numbers (0800, 0300 ...) and emails at public-sector domains are not personal
and pass.
"""

from __future__ import annotations

import re
from typing import Mapping

import marshmallow as ma
import re2

from discuss import Submission, Verdict, hookimpl

name = "personal_data"
enabled_by_default = True

REASON = "personal information"

# UK landlines (01, 02) and mobiles (07), with +44 / 0044 / (0) variants and
# spaces, dashes or brackets between the digits.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)[127](?:[\s\-)]{0,2}\d){8,9}(?![\d])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)", re.IGNORECASE)
# National Insurance: two prefix letters (not D F I Q U V; second not O; not the
# never-issued pairs), six digits, suffix A-D.
_NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE)
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# A house number before a street name, "flat 3", "no. 12".
_HOUSE = re.compile(
    r"\b(?:\d{1,4}[a-z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Gardens|Grove|Place|Terrace|"
    r"Court|Row|Hill|Walk|View|Mews|Square|Park|Rise|Green)\b"
    r"|\b(?:flat|apartment|house\s+number|number|no\.?)\s*\d{1,4}[a-z]?\b)",
    re.IGNORECASE)


class settings_schema(ma.Schema):
    """Per-site settings of the personal data plugin."""

    phone_numbers = ma.fields.Boolean(load_default=True)
    email_addresses = ma.fields.Boolean(load_default=True)
    national_insurance = ma.fields.Boolean(load_default=True)
    card_numbers = ma.fields.Boolean(load_default=True)
    addresses = ma.fields.Boolean(load_default=True,
                                  metadata={"description": "a postcode with a house number"})
    public_email_domains = ma.fields.List(
        ma.fields.String(), load_default=lambda: ["gov.uk", "nhs.uk", "police.uk", "parliament.uk", "sch.uk"],
        metadata={"description": "emails at these domains (and subdomains) are not personal"})


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# Cheap first looks: each must match before the full pattern can.
_NINE_DIGITS = re.compile(r"[0-9][0-9 ()\-]{8,}")
_SIX_DIGITS = re.compile(r"[0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[A-Da-d]")
_THIRTEEN_DIGITS = re.compile(r"[0-9][0-9 \-]{12,}")
_INWARD_CODE = re.compile(r"[0-9][A-Za-z]{2}\b")
# The same first looks run together by RE2 in one pass over the text: which of them
# can match (each RE2 pattern matches wherever its Python twin above does, so a
# look that RE2 rules out is ruled out). RE2's \s is ASCII; every non-ASCII
# character is let through as a possible space, which keeps the RE2 look the wider.
_SPACE = r"[\t-\r\x1c-\x1f \x{80}-\x{10ffff}]"
_PHONE_LOOK, _NINO_LOOK, _CARD_LOOK, _POSTCODE_LOOK = range(4)
_FIRST_LOOKS = re2.Set.SearchSet(re2.Options())
for _look in (r"[0-9][0-9 ()\-]{8}", rf"[0-9]{{2}}{_SPACE}?[0-9]{{2}}{_SPACE}?[0-9]{{2}}{_SPACE}?[A-Da-d]",
              r"[0-9][0-9 \-]{12}", r"[0-9][A-Za-z]{2}"):
    _FIRST_LOOKS.Add(_look)
_FIRST_LOOKS.Compile()


def find_personal_data(text: str, settings: Mapping) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` for each piece of personal data in ``text``."""
    found: list[tuple[int, int, str]] = []
    # One pass; most comments pass no look at all. (A lone surrogate is passed
    # through, as RE2 reads it: it matches no ASCII class.)
    looks = _FIRST_LOOKS.Match(text.encode("utf-8", "surrogatepass")) or ()
    digits = _count_digits(text) if looks else 0
    if settings["phone_numbers"] and digits >= 9 and _PHONE_LOOK in looks and _NINE_DIGITS.search(text):
        found += [(m.start(), m.end(), "phone number") for m in _PHONE.finditer(text)]
    if settings["email_addresses"] and "@" in text:
        public = [d.lower().lstrip(".") for d in settings["public_email_domains"]]
        for m in _EMAIL.finditer(text):
            domain = m.group(1).lower()
            if not any(domain == d or domain.endswith("." + d) for d in public):
                found.append((m.start(), m.end(), "email address"))
    if settings["national_insurance"] and digits >= 6 and _NINO_LOOK in looks and _SIX_DIGITS.search(text):
        found += [(m.start(), m.end(), "National Insurance number") for m in _NINO.finditer(text)]
    if settings["card_numbers"] and digits >= 13 and _CARD_LOOK in looks and _THIRTEEN_DIGITS.search(text):
        for m in _CARD.finditer(text):
            number = re.sub(r"\D", "", m.group())
            if 13 <= len(number) <= 19 and luhn_valid(number) and len(set(number)) > 1:
                found.append((m.start(), m.end(), "card number"))
    if settings["addresses"] and digits >= 2 and _POSTCODE_LOOK in looks and _INWARD_CODE.search(text):
        postcodes = list(_POSTCODE.finditer(text))
        if postcodes:
            houses = list(_HOUSE.finditer(text))
            for postcode in postcodes:
                for house in houses:
                    if house.end() <= postcode.start() and postcode.start() - house.end() <= 120:
                        found.append((house.start(), postcode.end(), "address"))
                        break
    # A card number also looks like a phone number now and then: keep the longest.
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            continue
        kept.append(item)
    return kept


def _count_digits(text: str) -> int:
    # str.count runs in C: far cheaper than running regexes over digit-free prose.
    return sum(map(text.count, "0123456789"))


@hookimpl
def discuss_screen_comment(submission: Submission, settings: Mapping) -> Verdict | None:
    """Hold comments that contain phone numbers, emails, NI or card numbers, or addresses."""
    found = find_personal_data(submission.body, settings)
    if not found:
        return None
    return Verdict.hold(REASON, spans=[[a, b] for a, b, _ in found], kinds=sorted({k for _, _, k in found}))
