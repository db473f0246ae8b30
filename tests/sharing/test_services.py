"""The sharing services as the HTML views call them: create, state, open, check, reopen, log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from passport.db import utcnow
from passport.extensions import db
from passport.notifications import queue
from passport.passports import services as passports
from passport.records import services as records
from passport.sharing import services as sharing
from passport.sharing.models import AccessLogEntry, Notification, ShareLink
from passport.sharing.services import ShareState
from tests import factories


@pytest.fixture
def net(ctx):
    class Net:
        ml = factories.structure("ML28", "ML")
        cap = factories.structure("CAP28", "CAP")
        holder = factories.holder(name="Léa Martin")
        advisor = factories.staff("advisor", ml, name="Camille Roux")
        other_advisor = factories.staff("advisor", ml, name="Jean Autre")
        cap_advisor = factories.staff("advisor", cap)

    Net.passport = passports.passport_of(Net.holder)
    db.session.commit()
    return Net


def _share(net, **kw) -> sharing.NewShare:
    values = {
        "sections": ["profile", "trainings"],
        "permissions": ["read", "append"],
        "expires_in_days": 7,
    }
    new = sharing.create_share(net.passport, **{**values, **kw})
    db.session.commit()
    return new


def _actions(share) -> list[str]:
    return list(
        db.session.execute(
            db.select(AccessLogEntry.action)
            .where(AccessLogEntry.share_id == share.id)
            .order_by(AccessLogEntry.id)
        ).scalars()
    )


def test_create_share_values(net):
    new = _share(
        net, structure="ml28", label="  Pour la Mission locale  ", single_use=True, passcode="2468"
    )
    share = new.share
    assert share.structure is net.ml  # codes are case-insensitive
    assert share.label == "Pour la Mission locale"
    assert share.sections == ["profile", "trainings"]
    assert share.single_use and share.passcode_hash.startswith("$argon2")
    assert timedelta(days=6, hours=23) < share.expires_at - utcnow() <= timedelta(days=7)
    assert share.expires_at.tzinfo is not None
    assert sharing.share_state(share) is ShareState.ACTIVE


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"sections": []}, "sections"),
        ({"sections": ["medical"]}, "sections"),
        ({"permissions": ["delete"]}, "permissions"),
        ({"permissions": []}, "permissions"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"expires_in_days": True}, "expires_in_days"),
        ({"expires_in_days": "7"}, "expires_in_days"),
        ({"structure": "NOPE"}, "structure"),
        ({"structure": ""}, "structure"),
        ({"passcode": "123"}, "passcode"),
        ({"label": "x" * 121}, "label"),
    ],
)
def test_create_share_input_errors(net, kw, field):
    with pytest.raises(sharing.ShareInputError) as caught:
        _share(net, **kw)
    assert field in caught.value.errors


def test_states(net):
    share = _share(net).share
    now = utcnow()
    assert sharing.share_state(share) is ShareState.ACTIVE
    sharing.suspend_share(share)
    assert sharing.share_state(share) is ShareState.SUSPENDED
    sharing.resume_share(share)
    assert sharing.share_state(share) is ShareState.ACTIVE
    share.failed_attempts = 10
    assert sharing.share_state(share) is ShareState.LOCKED
    share.used_up_at = now
    assert sharing.share_state(share) is ShareState.USED_UP
    assert sharing.share_state(share, now=share.expires_at) is ShareState.EXPIRED
    sharing.revoke_share(share)
    assert sharing.share_state(share) is ShareState.REVOKED
    with pytest.raises(sharing.ShareGone):
        sharing.resume_share(share)


def test_locked_share_cannot_be_resumed(net):
    share = _share(net).share
    share.locked_at = utcnow()
    share.failed_attempts = 10
    with pytest.raises(sharing.ShareLocked):
        sharing.resume_share(share)


def test_get_share_is_per_holder(net):
    share = _share(net).share
    other = passports.passport_of(factories.holder())
    assert sharing.get_share(net.passport, share.id) is share
    with pytest.raises(sharing.ShareNotFound):
        sharing.get_share(other, share.id)
    assert sharing.shares_of(other) == []
    assert sharing.shares_of(net.passport) == [share]


def _worker(app) -> None:
    """What the worker does after the commit (the holder's notice is its work)."""
    queue.run_burst(app)
    db.session.expire_all()


def test_open_share_grant_log_and_notification(app, net):
    new = _share(net)
    grant = sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    db.session.commit()
    assert grant.passport is net.passport and grant.sections == ("profile", "trainings")
    assert grant.can_read and grant.can_append
    assert new.share.uses == 1
    (entry,) = sharing.access_log(net.passport).items
    assert (entry.action, entry.structure, entry.advisor) == ("view", net.ml, net.advisor)
    assert sharing.unread_notifications(net.holder) == []  # the worker's, after the commit
    _worker(app)
    (note,) = sharing.unread_notifications(net.holder)
    assert note.kind == "visit" and note.access is entry
    assert note.visit is not None and note.visit.views == 1
    assert sharing.unread_count(net.holder) == 1
    assert sharing.mark_read(net.holder) == 1
    assert sharing.unread_count(net.holder) == 0


def test_mark_read_only_touches_the_users_own(app, net):
    new = _share(net)
    sharing.open_share(new.token, structure=net.ml)
    other = factories.holder()
    db.session.commit()
    _worker(app)
    note = sharing.unread_notifications(net.holder)[0]
    assert sharing.mark_read(other, [note.id]) == 0
    assert sharing.mark_read(net.holder, [note.id]) == 1


def test_order_of_checks(net):
    """State before audience, audience before passcode, passcode before permission."""
    new = _share(net, structure="ML28", passcode="2468", permissions=["read"])
    share = new.share
    # audience first: CAP gets 403 without spending a passcode try
    with pytest.raises(sharing.WrongAudience):
        sharing.open_share(new.token, structure=net.cap, passcode="0000")
    assert share.failed_attempts == 0
    # then passcode, before permission
    with pytest.raises(sharing.PasscodeRequired) as caught:
        sharing.open_share(new.token, structure=net.ml, action="append")
    assert caught.value.remaining == 10
    with pytest.raises(sharing.NotPermitted):
        sharing.open_share(new.token, structure=net.ml, passcode="2468", action="append")
    # a revoked share answers 410 whoever asks
    sharing.revoke_share(share)
    with pytest.raises(sharing.ShareGone):
        sharing.open_share(new.token, structure=net.cap, passcode="0000")
    db.session.commit()
    assert _actions(share) == ["denied"] * 4


def test_check_share_consumes_nothing(net):
    new = _share(net, single_use=True)
    grant = sharing.check_share(new.token, structure=net.ml, advisor=net.advisor)
    assert grant.can_read
    assert new.share.uses == 0 and new.share.used_up_at is None
    assert _actions(new.share) == []  # a look is not an access
    sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    with pytest.raises(sharing.ShareGone):
        sharing.check_share(new.token, structure=net.ml, advisor=net.advisor)


def test_peek_share(net):
    new = _share(net, passcode="2468", structure="CAP28")
    assert sharing.peek_share(new.token) is new.share  # no audience, no passcode, no log
    assert _actions(new.share) == []
    sharing.suspend_share(new.share)
    with pytest.raises(sharing.ShareGone) as caught:
        sharing.peek_share(new.token)
    assert caught.value.state == "suspended"


def test_reopen_single_use_share_in_the_same_session(app, net):
    new = _share(net, single_use=True)
    sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    db.session.commit()
    grant = sharing.reopen_share(
        new.share.id, structure=net.ml, advisor=net.advisor, action="append"
    )
    assert grant.can_append
    # Another advisor, another structure: no.
    with pytest.raises(sharing.ShareGone):
        sharing.reopen_share(new.share.id, structure=net.ml, advisor=net.other_advisor)
    with pytest.raises(sharing.ShareGone):
        sharing.reopen_share(new.share.id, structure=net.cap, advisor=net.cap_advisor)
    assert _actions(new.share) == ["view", "append", "denied", "denied"]
    # Once the browser session's time has passed: no.
    new.share.used_up_at = utcnow() - timedelta(
        minutes=app.config.get("SHARE_SESSION_MINUTES", 60) + 1
    )
    with pytest.raises(sharing.ShareGone):
        sharing.reopen_share(new.share.id, structure=net.ml, advisor=net.advisor)
    with pytest.raises(sharing.ShareNotFound):
        sharing.reopen_share(10**12, structure=net.ml, advisor=net.advisor)


def test_reopen_checks_audience(net):
    new = _share(net, structure="ML28")
    sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    with pytest.raises(sharing.WrongAudience):
        sharing.reopen_share(new.share.id, structure=net.cap, advisor=net.cap_advisor)


def test_reopen_refuses_revoked(net):
    new = _share(net)
    sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    sharing.revoke_share(new.share)
    with pytest.raises(sharing.ShareGone):
        sharing.reopen_share(new.share.id, structure=net.ml, advisor=net.advisor)


def test_appends_through_a_grant(net):
    """The grant says who writes; records writes as the grant's structure and advisor."""
    new = _share(net)
    grant = sharing.open_share(new.token, structure=net.ml, advisor=net.advisor, action="append")
    by = {"advisor": grant.advisor}
    pid = grant.passport.id
    reception = records.record_reception(
        grant.structure, pid, date=date(2026, 5, 20), channel="phone", needs=["vae"], **by
    )
    referral = records.send_referral(
        grant.structure, pid, net.cap, needs=["job_search"], message="RQTH", **by
    )
    training = records.attest_training(
        grant.structure, pid, title="CACES", status="completed", **by
    )
    db.session.commit()
    for record in (reception, referral, training):
        assert record.passport_id == net.passport.id
        assert record.issuer_structure is net.ml and record.issuer_advisor is net.advisor
        assert record.signature
    assert [r.seq for r in (reception, referral, training)] == [1, 2, 3]
    with pytest.raises(records.SameStructure):
        records.send_referral(grant.structure, pid, net.ml, needs=["job_search"])


def test_append_needs_the_permission(net):
    new = _share(net, permissions=["read"])
    with pytest.raises(sharing.NotPermitted):
        sharing.open_share(new.token, structure=net.ml, action="append")
    assert sharing.open_share(new.token, structure=net.ml).can_append is False


def test_access_log_pages_in_two_queries(app, net, count_queries):
    new = _share(net)
    for _ in range(7):
        sharing.open_share(new.token, structure=net.ml, advisor=net.advisor)
    db.session.commit()
    db.session.expire_all()
    assert net.passport.id  # reload the passport itself before counting
    with count_queries() as q:
        page = sharing.access_log(net.passport, page=2, per_page=3)
        names = [(e.structure.code, e.advisor.full_name) for e in page.items]
    assert q.count == 2
    assert page.total == 7 and page.pages == 3 and page.has_next and page.has_prev
    assert names == [("ML28", "Camille Roux")] * 3
    assert sharing.access_log(net.passport, page=3, per_page=3).items.__len__() == 1
    assert sharing.access_log(net.passport, per_page=10_000).per_page == 100


def test_share_url_without_the_html_route(app, net):
    new = _share(net)
    with app.test_request_context("/", base_url="https://passeport.example.org"):
        url = sharing.share_url(new.token)
    assert url == f"https://passeport.example.org/s/{new.token}"


def test_erasing_a_passport_erases_its_shares_and_log(net):
    new = _share(net)
    sharing.open_share(new.token, structure=net.ml)
    db.session.commit()
    db.session.delete(net.passport)
    db.session.commit()
    assert db.session.execute(db.select(ShareLink)).first() is None
    assert db.session.execute(db.select(AccessLogEntry)).first() is None
    assert db.session.execute(db.select(Notification)).first() is None


def test_purge_access_log_after_a_year(app, net):
    new = _share(net)
    sharing.open_share(new.token, structure=net.ml)
    sharing.open_share(new.token, structure=net.ml)
    db.session.commit()
    _worker(app)
    kept, aged = sharing.access_log(net.passport).items
    aged.at = utcnow() - timedelta(days=app.config["RETENTION_ACCESS_LOG_DAYS"] + 1)
    db.session.commit()
    assert sharing.purge_access_log() == 1
    db.session.commit()
    db.session.expire_all()
    assert [e.id for e in sharing.access_log(net.passport).items] == [kept.id]
    assert [n.access_id for n in sharing.unread_notifications(net.holder)] == [kept.id]
