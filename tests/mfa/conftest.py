"""An app whose staff roles must use a second factor (as in production)."""

from __future__ import annotations

import pytest
import time_machine

from passport.extensions import db
from tests.conftest import IsolatedClient, _reset, make_app
from tests.mfa.helpers import at

STAFF_ROLES = ("advisor", "structure_admin", "coordinator", "admin")


@pytest.fixture
def strict_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, MFA_REQUIRED_ROLES=STAFF_ROLES)
    app.test_client_class = IsolatedClient
    _reset(app, database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Clock:
    """The test's clock, stopped at the start of a TOTP step, moved forward by whole steps."""

    def __init__(self, traveller) -> None:
        self.traveller = traveller
        self.step = 0

    def to(self, step: int) -> None:
        assert step >= self.step, "the clock only moves forward"
        self.step = step
        self.traveller.move_to(at(step))


@pytest.fixture
def clock():
    with time_machine.travel(at(0), tick=False) as traveller:
        yield Clock(traveller)
