"""schemathesis over the whole public and moderation API: no server errors, no answers off the schema."""

from __future__ import annotations

from tests.fuzzing import fuzz_api
from tests.helpers import post
from tests.reviewing import held, holding, other_site, people  # noqa: F401


def test_schemathesis_finds_no_server_errors_and_no_schema_mismatches(client, people, holding, app):
    # Seed: a published and a held comment, so ids and threads exist.
    assert post(client, "A fair point.").status_code == 201
    held(client)
    token = people["mod"]["Authorization"].split(" ", 1)[1]
    counts = fuzz_api(app, token, max_examples=8)
    print(counts.summary())
    assert counts.operations >= 8 and counts.requests > 100
    assert counts.server_errors == []
    assert counts.mismatches == []
