"""The job queue and mail delivery: queued by requests, sent by ``worker --burst``."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import time_machine

from passport.db import utcnow
from passport.extensions import db
from passport.notifications import queue
from passport.notifications.mail import send_mail
from passport.notifications.models import JobKey, OutgoingMail
from tests import factories
from tests.mailbox import burst, outbox, text_of
from tests.web import submit


def _forgot(client, email: str):
    return submit(client, "/mot-de-passe-oublie", {"email": email})


def test_a_request_queues_the_mail_and_the_worker_sends_it(app, client, runner, ctx):
    user = factories.holder("lea@example.org")
    response = _forgot(client, user.email)
    assert response.status_code == 302
    assert outbox(app) == []  # nothing sent by the request itself
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.sent_at is None and mail.to_address == "lea@example.org"

    assert "1 job(s) run" in burst(runner)
    [message] = outbox(app)
    assert message["To"] == "lea@example.org"
    assert "/mot-de-passe/" in text_of(message)
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).sent_at is not None
    assert "0 job(s) run" in burst(runner)  # nothing left, nothing sent twice
    assert len(outbox(app)) == 1


def test_a_rolled_back_request_queues_nothing(app, runner, ctx):
    send_mail("x@example.org", "Sujet", "Corps")
    db.session.rollback()
    burst(runner)
    assert outbox(app) == []


def test_one_key_gives_one_mail(app, runner, ctx):
    assert send_mail("x@example.org", "Sujet", "Corps", key="event:1") is not None
    db.session.commit()
    assert send_mail("x@example.org", "Sujet", "Corps", key="event:1") is None
    db.session.commit()
    mail_id = db.session.execute(db.select(OutgoingMail.id)).scalar_one()
    queue.enqueue_now("deliver_mail", mail_id)  # the same job queued twice
    burst(runner)
    assert len(outbox(app)) == 1


def test_smtp_down_then_back(smtp_app, smtp, client, runner, ctx):
    """The request answers at once; the job fails, is retried later and goes out."""
    user = factories.holder("lea@example.org")
    smtp.stop()
    assert _forgot(client, user.email).status_code == 302

    burst(runner)  # SMTP refuses: the job is scheduled again, with back-off
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert smtp.messages == []

    smtp.start()
    burst(runner)  # the retry is not due yet
    assert smtp.messages == []
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        burst(runner)
    [message] = smtp.messages
    assert message["To"] == "lea@example.org"
    assert message.get_body(preferencelist=("plain",)) is not None
    db.session.expire_all()
    mail = db.session.get(OutgoingMail, mail.id)
    assert mail.sent_at is not None and mail.attempts == 2


def test_the_sweep_finds_a_mail_whose_job_was_lost(app, runner, ctx):
    mail = send_mail("x@example.org", "Sujet", "Corps")
    db.session.info.pop("passport_jobs")  # as if the queue had been down at commit
    db.session.commit()
    burst(runner)
    assert outbox(app) == []
    with time_machine.travel(utcnow() + timedelta(minutes=15)):
        burst(runner, "--schedule")
    assert len(outbox(app)) == 1
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).sent_at is not None


def test_the_daily_purge_runs_once_a_day(app, runner, ctx):
    output = burst(runner, "--schedule")
    assert "daily_purge" in output
    burst(runner, "--schedule")
    keys = db.session.execute(db.select(JobKey.key)).scalars().all()
    assert [k for k in keys if k.startswith("purge:")] == [f"purge:{jobs_today()}"]


def jobs_today() -> str:
    from passport.db import today_local

    return today_local().isoformat()


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
def test_the_queue_lives_in_redis_when_configured(app, runner, ctx):
    app.config.update(
        JOBS_REDIS_URL=os.environ["TEST_REDIS_URL"], JOBS_QUEUE_NAME=f"test-{uuid.uuid4().hex}"
    )
    send_mail("x@example.org", "Sujet", "Corps")
    db.session.commit()
    huey = queue.huey_of(app)
    assert type(huey).__name__ == "RedisHuey"
    assert huey.pending_count() == 1
    burst(runner)
    assert len(outbox(app)) == 1
    huey.flush()
