"""Fixtures of the sharing and workspace page tests: the Dreux network, a holder, advisors."""

from __future__ import annotations

import pytest

from tests import factories
from tests.web import login


@pytest.fixture
def network(ctx):
    """Two structures of the Dreux SPRO network, with one advisor each."""
    ml = factories.structure(
        "ML28", "ML", name="Mission locale de Dreux", needs=["job_search", "summer_job"]
    )
    cio = factories.structure(
        "CIO28", "CIO", name="CIO de Dreux", needs=["orientation", "training_search"]
    )
    return {
        "ml": ml,
        "cio": cio,
        "ml_advisor": factories.staff("advisor", ml, "camille@ml.example.org", "Camille Roux"),
        "cio_advisor": factories.staff("advisor", cio, "sami@cio.example.org", "Sami Benali"),
    }


@pytest.fixture
def holder(client, ctx):
    user = factories.holder("lea@example.org", name="Léa Martin")
    login(client, "lea@example.org")
    return user


@pytest.fixture
def advisor_client(app, network):
    """A second browser, logged in as the Mission locale's advisor."""
    c = app.test_client()
    login(c, "camille@ml.example.org")
    return c


@pytest.fixture
def cio_client(app, network):
    c = app.test_client()
    login(c, "sami@cio.example.org")
    return c
