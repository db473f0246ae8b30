"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Whatever schemathesis generates from the document (valid and invalid bodies, odd path and
query values, hostile strings), the answer is never a 5xx, and every error is an RFC 9457
problem. Requests carry a holder's token so that they reach validation, not only the 401.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from passport.extensions import limiter
from tests import factories


@pytest.fixture
def api_schema(app, ctx):
    holder_token = factories.token(factories.holder("fuzz@example.org"))
    structure = factories.structure("ML-FUZZ")
    factories.structure("CIO-FUZZ", type_="CIO")
    key = factories.api_key(structure)
    limiter.enabled = False  # the fuzzer sends far more than a person would
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    yield schema, {"holder": factories.bearer(holder_token), "structure": factories.bearer(key)}
    limiter.enabled = True


@pytest.mark.parametrize("caller", ["holder", "structure"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_answers_5xx(api_schema, mode, caller):
    schema, callers = api_schema
    headers = callers[caller]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=headers)
            label = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (label, case.body, response.text[:300])
            if response.status_code >= 400:
                lowered = {k.lower(): v for k, v in response.headers.items()}
                content_type = lowered.get("content-type", [""])
                content_type = content_type[0] if isinstance(content_type, list) else content_type
                assert content_type.startswith("application/problem+json"), label

        try:
            check()
        except Unsatisfiable:
            # Negative mode on an operation with nothing to make invalid (no body, no params).
            assert mode == GenerationMode.NEGATIVE, operation.label
