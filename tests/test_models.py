"""Model-level invariants the queries rely on."""

from discuss.models import Ban, Comment


def test_emails_are_kept_lower_case_so_lookups_can_use_the_index():
    assert Ban(email=" Troll@Example.ORG ").email == "troll@example.org"
    assert Comment(author_email="Resident@Example.org").author_email == "resident@example.org"
    assert Ban(email=None).email is None
