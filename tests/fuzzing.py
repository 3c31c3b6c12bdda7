"""schemathesis against ``/api/openapi.json``, in-process (WSGI): shared by the test and bench/fuzz_api.py.

Every operation of the document gets generated requests, valid (positive) and
invalid (negative) ones; each answer is checked for a server error (5xx) and
for conformance to the documented response schema. The moderation API is
called with a moderator's bearer token, so it is fuzzed past the 401.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import Failure
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance


@dataclass
class FuzzCounts:
    operations: int = 0
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        return (f"{self.requests} requests over {self.operations} operations: "
                f"{len(self.server_errors)} server errors, {len(self.mismatches)} schema mismatches")


def fuzz_api(app, token: str, *, max_examples: int) -> FuzzCounts:
    """Run schemathesis over every operation of ``app``'s OpenAPI document."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    counts = FuzzCounts()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        counts.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, headers, max_examples, counts)
    return counts


def _fuzz_operation(operation, mode, headers, max_examples, counts: FuzzCounts) -> None:
    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        # Our token last: schemathesis generates Authorization values of its own for bearerAuth.
        generated = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        response = case.call(headers={**generated, **headers})
        counts.requests += 1
        counts.statuses[response.status_code] += 1
        where = f"{case.method} {case.formatted_path} -> {response.status_code}"
        if response.status_code >= 500:
            counts.server_errors.append(f"{where}: {response.text[:200]}")
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])
        except (Failure, AssertionError) as exc:
            counts.mismatches.append(f"{where}: {str(exc)[:300]}")

    try:
        run()
    except Exception as exc:  # hypothesis could not generate for this operation
        counts.mismatches.append(f"{operation.method.upper()} {operation.path}: generation failed: {exc!r:.300}")
