"""Believable bench data, written with the app's own record code (``flask bench seed``).

Every record is built as the app builds it: ``trust.canonical.record_content`` and
``seal`` (its canonical bytes and chain hash) for the chain, the structures' Ed25519 keys
(``trust.signing.signer``) for the signatures, and the columns' own types on insert (free
texts and signatures encrypted by ``EncryptedText``), so a seeded passport exports and
verifies like any other. Only the
way rows reach the database differs: Core bulk inserts, by chunks of passports, from one
process per core (ids are handed out by block, so the processes never meet).
"""

from __future__ import annotations

import multiprocessing
import os
import random  # nosec B311  (bench data, not secrets)
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, insert, text

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.indicators import aggregates
from passport.passports.models import (
    REFERRAL_TRANSITIONS,
    CpfStatement,
    Need,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.security import hash_password
from passport.sharing import tokens
from passport.sharing.models import SECTIONS, AccessLogEntry, ShareLink
from passport.structures.models import Structure
from passport.trust.canonical import record_content, seal
from passport.trust.signing import active_key, signer

#: Most records of one kind one passport gets (ids are reserved by block from these).
MAX_PER_PASSPORT = {
    Reception: 12,
    Referral: 5,
    ReferralEvent: 15,
    Training: 8,
    CpfStatement: 4,
}
SEED_PASSWORD = "bench-seed-password-2026"  # noqa: S105  # nosec B105  (bench accounts only)
FIRST = ["Léa", "Karim", "Sophie", "Noé", "Inès", "Hugo", "Chloé", "Yanis", "Manon", "Lucas"]
LAST = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Haddad", "Nguyen", "Diallo"]
SUMMARIES = [
    "Cherche une formation qualifiante dans le soin ; financement à étudier.",
    "Reconversion envisagée vers la logistique, permis C en projet.",
    "Besoin d'un emploi saisonnier cet été, disponible dès juin.",
    "Souhaite valider son expérience (VAE) d'aide à domicile.",
    None,
]
TRAININGS = [
    ("CAP cuisine", "GRETA Centre-Val de Loire"),
    ("Titre professionnel agent magasinier", "AFPA Chartres"),
    ("CACES R489", "Promotrans"),
    ("DEAS aide-soignant", "IFAS Dreux"),
    ("Titre pro secrétaire assistant", "CNAM Centre"),
]
CHANNELS = ["in_person", "phone", "online"]
OUTCOMES = ["answered", "referred", "appointment", "follow_up", None]
SITUATIONS = ["employee", "jobseeker", "self_employed", "public_agent", "student", "other"]
TRAINING_STATUSES = ["planned", "in_progress", "completed", "abandoned"]
DEPARTMENTS = ["28", "45", "41", "37", "36", "18"]
STRUCTURE_TYPES = ["ML", "FT", "CAP", "APEC", "CIO", "CEP", "CMA", "CCI"]


@dataclass(frozen=True)
class Reference:
    """What every chunk needs, plain values only (passed to the worker processes)."""

    structures: list[tuple[int, str]]  # (id, code)
    advisors: dict[int, tuple[int, str]]  # structure id -> (user id, full name)
    password_hash: str
    user_base: int
    passport_base: int
    record_base: dict[str, int]  # table name -> first id of chunk 0
    share_base: int
    log_base: int
    chunk: int


def reference_data(structures: int = 40) -> list[Structure]:
    """The directory: structures of the SPRO network, each with an advisor and a key."""
    from passport.accounts import services as accounts
    from passport.structures import services as directory

    made = []
    for i in range(structures):
        kind = STRUCTURE_TYPES[i % len(STRUCTURE_TYPES)]
        department = DEPARTMENTS[i % len(DEPARTMENTS)]
        code = f"B{kind}{i:03d}"
        needs = sorted({n.value for n in random.Random(i).sample(list(Need), 3)})  # nosec B311
        structure = directory.add_structure(
            code,
            f"{kind} bench {i} Dreux" if department == "28" else f"{kind} bench {i}",
            kind,
            department,
            city="Dreux" if department == "28" else None,
            needs=needs,
        )
        accounts.create_user(
            f"advisor.{code.lower()}@bench.invalid",
            SEED_PASSWORD,
            f"Conseiller {code}",
            "advisor",
            structure,
        )
        active_key(structure)
        made.append(structure)
    db.session.flush()
    return made


def _next(table) -> int:
    return (
        int(db.session.execute(db.select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    )


def seed(
    passports: int,
    *,
    workers: int | None = None,
    chunk: int = 500,
    echo: Callable[[str], None] = print,
) -> None:
    """Fill an empty database with ``passports`` passports (about 20 records each)."""
    if db.session.execute(db.select(func.count(Passport.id))).scalar_one():
        raise RuntimeError("the database already holds passports: seed an empty one")
    made = reference_data()
    db.session.commit()
    advisors = {
        u.structure_id: (u.id, u.full_name)
        for u in db.session.execute(db.select(User).where(User.structure_id.is_not(None))).scalars()
    }
    tables = [Reception, Referral, ReferralEvent, Training, CpfStatement]
    ref = Reference(
        structures=[(s.id, s.code) for s in made],
        advisors=advisors,
        password_hash=hash_password(SEED_PASSWORD),
        user_base=_next(User.__table__),
        passport_base=_next(Passport.__table__),
        record_base={m.__tablename__: _next(m.__table__) for m in tables},
        share_base=_next(ShareLink.__table__),
        log_base=_next(AccessLogEntry.__table__),
        chunk=chunk,
    )
    db.session.commit()
    count = (passports + chunk - 1) // chunk
    jobs = [(ref, c, min(chunk, passports - c * chunk)) for c in range(count)]
    workers = workers or os.cpu_count() or 1
    global _APP
    _APP = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session.remove()
    db.engine.dispose()
    done = 0
    if workers > 1:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_worker_init) as pool:
            for n in pool.imap_unordered(_seed_chunk, jobs):
                done += n
                echo(f"  {done}/{passports} passports")
    else:
        for job in jobs:
            done += _seed_chunk(job)
            echo(f"  {done}/{passports} passports")
    _fix_sequences()
    aggregates.rebuild()  # the indicators' monthly counts of what was bulk-inserted
    # The planner's statistics: without them, right after a bulk load, PostgreSQL hash-joins
    # a passport read over the whole users table (68 ms instead of 1.3 ms at 100,000
    # passports) and SQLite may pick the wrong index.
    db.session.execute(text("ANALYZE"))
    db.session.commit()


_APP = None  # the application, for the worker processes (set before they fork)


def _worker_init() -> None:
    assert _APP is not None  # nosec B101  (set by seed before the pool starts)
    _APP.app_context().push()
    db.engine.dispose(close=False)  # never share the parent's connections


def _fix_sequences() -> None:
    """PostgreSQL: move each sequence past the ids handed out by block."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            next_id = _next(table)
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
                {"table": table.name, "next": next_id},
            )
    db.session.commit()


def _seed_chunk(job) -> int:
    ref, index, size = job
    rows = _build_chunk(ref, index, size)
    with db.engine.begin() as conn:
        for model in (
            User,
            Passport,
            Reception,
            Referral,
            ReferralEvent,
            Training,
            CpfStatement,
            ShareLink,
            AccessLogEntry,
        ):
            batch = rows.get(model.__tablename__)
            if batch:
                conn.execute(insert(model), batch)
    db.session.remove()
    return size


def _build_chunk(ref: Reference, index: int, size: int) -> dict[str, list[dict]]:
    signers = {sid: signer(db.session.get_one(Structure, sid)) for sid, _ in ref.structures}
    codes = dict(ref.structures)
    ids = {
        name: base + index * ref.chunk * MAX_PER_PASSPORT[model]
        for model in MAX_PER_PASSPORT
        for name, base in ref.record_base.items()
        if name == model.__tablename__
    }
    rows: dict[str, list[dict]] = {}
    now = utcnow().replace(microsecond=0)
    for i in range(size):
        n = index * ref.chunk + i
        rng = random.Random(n)  # nosec B311
        uid, pid = ref.user_base + n, ref.passport_base + n
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        start = now - timedelta(days=rng.randint(30, 900), seconds=rng.randint(0, 86_400))
        rows.setdefault("users", []).append(
            dict(
                id=uid,
                email=f"holder{n}@bench.invalid",
                password_hash=ref.password_hash,
                full_name=name,
                role="individual",
                active=True,
                created_at=start,
                password_changed_at=start,
            )
        )
        chain = _passport_records(rng, pid, start, now, ref, codes, ids)
        prev, seq = None, 0
        for model, values, issuer in chain:
            seq += 1
            values.update(seq=seq, prev_hash=prev, passport_id=pid)
            content = record_content(_as_record(model, values, codes, ref, issuer))
            signed, values["hash"] = seal(seq, prev, content)
            values["signature"] = signers[issuer](signed) if issuer else None
            prev = values["hash"]
            values.pop("_to_code", None)
            rows.setdefault(model.__tablename__, []).append(values)
        rows.setdefault("passports", []).append(
            dict(
                id=pid,
                holder_id=uid,
                birth_year=rng.randint(1960, 2007),
                department=rng.choice(DEPARTMENTS),
                situation=rng.choice(SITUATIONS),
                qualification_level=rng.randint(3, 7),
                created_at=start,
                last_activity_at=chain[-1][1]["created_at"] if chain else start,
                head_seq=seq,
                head_hash=prev,
            )
        )
        if n % 10 == 0:  # one passport in ten is shared, and was opened twice
            share_id = ref.share_base + n // 10
            sid, _ = ref.structures[n % len(ref.structures)]
            _, token_hash = tokens.new_token()
            rows.setdefault("share_links", []).append(
                dict(
                    id=share_id,
                    passport_id=pid,
                    token_hash=token_hash,
                    label=None,
                    sections=list(SECTIONS),
                    permissions=["read"],
                    structure_id=sid,
                    created_at=now - timedelta(days=3),
                    expires_at=now + timedelta(days=60),
                    single_use=False,
                    passcode_hash=None,
                    uses=2,
                    failed_attempts=0,
                )
            )
            for k in range(2):
                rows.setdefault("access_log", []).append(
                    dict(
                        id=ref.log_base + 2 * (n // 10) + k,
                        passport_id=pid,
                        share_id=share_id,
                        structure_id=sid,
                        advisor_id=ref.advisors[sid][0],
                        action="view",
                        at=now - timedelta(days=2 - k),
                    )
                )
    return rows


def _passport_records(rng, pid, start, now, ref, codes, ids):
    """(model, column values, issuer structure id | None) in chain order."""
    span = max(1, int((now - start).total_seconds()))
    items: list[tuple] = []

    def at():
        return start + timedelta(seconds=rng.randint(0, span))

    def take(model):
        ids[model.__tablename__] += 1
        return ids[model.__tablename__] - 1

    def issuer_of():
        sid, _ = rng.choice(ref.structures)
        return sid, ref.advisors[sid][0] if rng.random() < 0.8 else None

    for _ in range(rng.randint(4, 12)):
        sid, advisor = issuer_of()
        when = at()
        items.append(
            (
                when,
                Reception,
                dict(
                    id=take(Reception),
                    created_at=when,
                    issuer_structure_id=sid,
                    issuer_advisor_id=advisor,
                    date=when.date(),
                    channel=rng.choice(CHANNELS),
                    situation=rng.choice(SITUATIONS),
                    needs=sorted({n.value for n in rng.sample(list(Need), 2)}),
                    outcome=rng.choice(OUTCOMES),
                    summary=rng.choice(SUMMARIES),
                ),
                sid,
            )
        )
    for _ in range(rng.randint(0, 4)):
        sid, advisor = issuer_of()
        to_sid, to_code = rng.choice([s for s in ref.structures if s[0] != sid])
        when = at()
        referral_id = take(Referral)
        status, changed = "sent", when
        events = []
        t = when
        while REFERRAL_TRANSITIONS[status] and rng.random() < 0.6 and len(events) < 3:
            status = sorted(REFERRAL_TRANSITIONS[status])[
                rng.randint(0, len(REFERRAL_TRANSITIONS[status]) - 1)
            ]
            t = min(now, t + timedelta(days=rng.randint(1, 20)))
            changed = t
            events.append(
                (
                    t,
                    ReferralEvent,
                    dict(
                        id=take(ReferralEvent),
                        created_at=t,
                        issuer_structure_id=to_sid,
                        issuer_advisor_id=ref.advisors[to_sid][0],
                        referral_id=referral_id,
                        status=status,
                        note=None,
                    ),
                    to_sid,
                )
            )
        items.append(
            (
                when,
                Referral,
                dict(
                    id=referral_id,
                    created_at=when,
                    issuer_structure_id=sid,
                    issuer_advisor_id=advisor,
                    to_structure_id=to_sid,
                    _to_code=to_code,
                    needs=sorted({n.value for n in rng.sample(list(Need), 1)}),
                    message="Merci de recevoir la personne." if rng.random() < 0.5 else None,
                    status=status,
                    status_changed_at=changed,
                ),
                sid,
            )
        )
        items.extend(events)
    for _ in range(rng.randint(2, 8)):
        title, provider = rng.choice(TRAININGS)
        attested = rng.random() < 0.4
        sid, advisor = issuer_of() if attested else (None, None)
        when = at()
        begin = when.date() - timedelta(days=rng.randint(0, 400))
        items.append(
            (
                when,
                Training,
                dict(
                    id=take(Training),
                    created_at=when,
                    issuer_structure_id=sid,
                    issuer_advisor_id=advisor,
                    title=title,
                    provider=provider,
                    certification_code=None,
                    start_date=begin,
                    end_date=begin + timedelta(days=rng.randint(30, 300)),
                    status=rng.choice(TRAINING_STATUSES),
                    hours=Decimal(rng.randint(35, 1200)).quantize(Decimal("0.1")),
                    funding="CPF" if rng.random() < 0.5 else None,
                    supersedes_id=None,
                    superseded=False,
                ),
                sid,
            )
        )
    for _ in range(rng.randint(1, 3)):
        when = at()
        items.append(
            (
                when,
                CpfStatement,
                dict(
                    id=take(CpfStatement),
                    created_at=when,
                    issuer_structure_id=None,
                    issuer_advisor_id=None,
                    as_of=when.date(),
                    balance_cents=rng.randint(0, 500_000),
                    dif_hours=None,
                    supersedes_id=None,
                    superseded=False,
                ),
                None,
            )
        )
    items.sort(key=lambda item: (item[0], item[2]["id"]))
    return [(model, values, issuer) for _, model, values, issuer in items]


def _as_record(model, values, codes, ref, issuer):
    """A stand-in with the attributes ``record_content`` reads."""
    advisor_id = values.get("issuer_advisor_id")
    advisor_name = next((name for uid, name in ref.advisors.values() if uid == advisor_id), None)
    columns = {prop.key: None for prop in db.inspect(model).column_attrs}
    return SimpleNamespace(
        kind=model.kind,
        **{**columns, **values},
        issuer_structure=SimpleNamespace(code=codes[issuer]) if issuer else None,
        issuer_advisor=SimpleNamespace(full_name=advisor_name) if advisor_id else None,
        to_structure=SimpleNamespace(code=values.get("_to_code")),
    )


#: How many passports ``bench_credentials`` shares for appends (``make bench`` spreads its
#: appends over them, as a region's structures write to many passports at once).
APPEND_SHARES = 100


def bench_credentials(echo: Callable[[str], None] = print) -> None:
    """A holder token, a structure key, an active share of that holder for the key, and
    shares for appends of ``APPEND_SHARES`` other passports to the same structure: four
    lines ``name=value``, the last a comma-separated list of share tokens."""
    from passport.accounts import services as accounts
    from passport.passports import services as passports
    from passport.sharing import services as sharing
    from passport.structures import services as directory

    holder = db.session.execute(
        db.select(User).where(User.email == "holder0@bench.invalid")
    ).scalar_one()
    structure = db.session.execute(
        db.select(Structure).order_by(Structure.id).limit(1)
    ).scalar_one()
    token, _ = accounts.issue_token(holder)
    secret, _ = directory.create_api_key(structure, "bench")
    mine = passports.passport_of(holder)
    share = sharing.create_share(
        mine,
        sections=list(SECTIONS),
        permissions=["read", "append"],
        expires_in_days=90,
        structure=structure,
    )
    others = db.session.execute(
        db.select(Passport).where(Passport.id != mine.id).order_by(Passport.id).limit(APPEND_SHARES)
    ).scalars()
    append_tokens = [
        sharing.create_share(
            passport,
            sections=["receptions"],
            permissions=["append"],
            expires_in_days=90,
            structure=structure,
        ).token
        for passport in others
    ]
    db.session.commit()
    echo(f"holder_token={token}")
    echo(f"api_key={secret}")
    echo(f"share_token={share.token}")
    echo(f"append_share_tokens={','.join(append_tokens)}")
