"""The holder's own passport: /api/v1/me/..."""

from __future__ import annotations

from flask import g

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import current_caller, require_roles
from passport.api.idempotency import idempotent
from passport.api.openapi import doc
from passport.api.schemas import CpfIn, TrainingIn, parse
from passport.api.serializers import cpf_json, passport_json, training_json
from passport.errors import Problem
from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records


def my_passport():
    passport = passports.passport_of(current_caller().user)
    g.idempotency_passport_id = passport.id  # a replayed answer goes with the passport
    return passport


@bp.get("/me/passport")
@require_roles(Role.INDIVIDUAL)
@doc("The holder's whole passport", responses={200: "Passport"})
def get_my_passport():
    view = passports.load_view(my_passport())
    return passport_json(view)


@bp.get("/me/referrals/<int:referral_id>/appointment.ics")
@require_roles(Role.INDIVIDUAL)
@doc(
    "The appointment of one of the holder's referrals (RFC 5545)",
    responses={200: None, 404: None},
)
def appointment_ics(referral_id: int):
    from passport.notifications import calendar

    referral = calendar.holder_appointment(my_passport().id, referral_id)
    if referral is None:
        raise Problem(404, "Not Found", "No appointment for this referral.")
    return calendar.ics_response(referral)


@bp.post("/me/trainings")
@require_roles(Role.INDIVIDUAL)
@idempotent
@doc("Declare a training", body=TrainingIn, responses={201: "Training", 422: None})
def post_my_training():
    data = parse(TrainingIn)
    training = records.declare_training(my_passport(), **data.model_dump())
    db.session.commit()
    return training_json(training), 201


@bp.post("/me/cpf")
@require_roles(Role.INDIVIDUAL)
@idempotent
@doc("Declare a CPF statement", body=CpfIn, responses={201: "CpfStatement", 422: None})
def post_my_cpf():
    data = parse(CpfIn)
    statement = records.declare_cpf(my_passport(), data.as_of, data.balance_eur, data.dif_hours)
    db.session.commit()
    return cpf_json(statement), 201
