"""Parallel requests on one share: wrong passcodes counted one by one, single use used once.

Each thread has its own test client, so its own application context, session and database
connection: this runs on SQLite (write lock) and on PostgreSQL (row lock) alike.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from passport.sharing.services import MAX_PASSCODE_ATTEMPTS
from tests.sharing.world import build_world, committed, make_share

THREADS = 14


@pytest.fixture
def world(app):
    return build_world(app)


def _in_parallel(app, url: str, headers: dict, n: int = THREADS) -> list:
    barrier = threading.Barrier(n)

    def call(_):
        client = app.test_client()
        barrier.wait()
        r = client.get(url, headers=headers)
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(call, range(n)))


def test_parallel_wrong_passcodes_are_counted_one_by_one(app, client, world):
    share = make_share(client, world, passcode="7391")
    results = _in_parallel(
        app, f"/api/v1/shared/{share['token']}", {**world.advisor, "X-Share-Passcode": "0000"}
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [401] * MAX_PASSCODE_ATTEMPTS + [423] * (THREADS - MAX_PASSCODE_ATTEMPTS)
    remaining = sorted(body["remaining_attempts"] for status, body in results if status == 401)
    assert remaining == list(range(MAX_PASSCODE_ATTEMPTS))  # 9, 8, ... 0: each try seen once
    row = committed(
        app, "SELECT failed_attempts, locked_at FROM share_links WHERE id = :id", id=share["id"]
    )
    assert row[0][0] == MAX_PASSCODE_ATTEMPTS and row[0][1] is not None
    denied = committed(
        app,
        "SELECT count(*) FROM access_log WHERE share_id = :id AND action = 'denied'",
        id=share["id"],
    )
    assert denied[0][0] == THREADS
    r = client.get(
        f"/api/v1/shared/{share['token']}", headers={**world.advisor, "X-Share-Passcode": "7391"}
    )
    assert r.status_code == 423


def test_parallel_right_passcodes_cost_no_attempt(app, client, world):
    share = make_share(client, world, passcode="7391")
    results = _in_parallel(
        app, f"/api/v1/shared/{share['token']}", {**world.advisor, "X-Share-Passcode": "7391"}, n=8
    )
    assert [status for status, _ in results] == [200] * 8
    row = committed(
        app, "SELECT failed_attempts, uses FROM share_links WHERE id = :id", id=share["id"]
    )
    assert row == [(0, 8)]


def test_single_use_share_opens_once_under_a_race(app, client, world):
    share = make_share(client, world, single_use=True)
    results = _in_parallel(app, f"/api/v1/shared/{share['token']}", world.advisor, n=8)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [410] * 7
    row = committed(app, "SELECT uses, used_up_at FROM share_links WHERE id = :id", id=share["id"])
    assert row[0][0] == 1 and row[0][1] is not None
    actions = committed(app, "SELECT action FROM access_log WHERE share_id = :id", id=share["id"])
    assert sorted(a for (a,) in actions) == ["denied"] * 7 + ["view"]
