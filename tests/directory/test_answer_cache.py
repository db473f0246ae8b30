"""The directory's answer cache (passport/directory/cache.py, version.py): one query when
cached, and every write path seen on the very next request."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import text, update

from passport.db import LOCAL_TZ
from passport.directory import cache, version
from passport.directory import services as directory
from passport.directory.models import DirectoryService
from passport.extensions import db
from passport.structures.models import Structure
from tests import factories
from tests.directory import world as w
from tests.web import login, submit

SEARCH = "/api/v1/structures?need=job_search&department=28"
FINDER = f"/api/v1/finder?needs=job_search,vae&commune={w.DREUX}&age=20"
URLS = [SEARCH, FINDER, "/api/v1/data-inclusion/structures", "/api/v1/data-inclusion/services"]


@pytest.fixture
def world(ctx):
    return w.build()


def names(client, url=SEARCH) -> list[str]:
    body = client.get(url).get_json()
    entries = body if isinstance(body, list) else [r["structure"] for r in body["results"]]
    return [e["name"] for e in entries]


@pytest.mark.parametrize("url", URLS)
def test_a_cached_answer_is_the_uncached_one(app, client, world, url, tmp_path):
    first = client.get(url)  # built
    again = client.get(url)  # from the cache
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.content_type == first.content_type == "application/json"
    assert again.headers["ETag"] == first.headers["ETag"]
    cache.answers().size = 0  # off: every answer built anew
    cache.answers().clear()
    assert client.get(url).get_data() == first.get_data()
    assert json.loads(first.get_data())  # not empty: the world answers something


def test_a_repeated_request_costs_one_query(client, world, count_queries):
    for url in (SEARCH, FINDER):
        client.get(url)
        with count_queries() as hit:
            assert client.get(url).status_code == 200
        assert hit.count == 1, hit.statements
        assert "directory_version" in hit.statements[0]


def test_etag_answers_304_and_the_language_is_part_of_the_key(client, world):
    first = client.get(FINDER)
    assert first.headers["Vary"] == "Accept-Language, Cookie"
    again = client.get(FINDER, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    english = client.get(FINDER, headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert english.headers["ETag"] != first.headers["ETag"]
    assert "covers: " in english.get_data(as_text=True)
    assert "couvre : " in client.get(FINDER).get_data(as_text=True)


def test_the_api_patch_is_seen_by_the_next_request(client, world):
    assert "Mission locale test" in names(client)
    admin = factories.staff("structure_admin", world.ml)
    r = client.patch(
        "/api/v1/structures/ML-T",
        json={"name": "Mission locale du Drouais"},
        headers=factories.bearer(factories.token(admin)),
    )
    assert r.status_code == 200
    assert "Mission locale du Drouais" in names(client)
    assert "Mission locale du Drouais" in names(client, FINDER)


def test_the_directory_pages_edits_are_seen_by_the_next_request(client, world):
    assert "Info jeunes test" in names(client, FINDER.replace("job_search,vae", "orientation"))
    before = client.get("/api/v1/structures?q=atelier").get_json()
    assert before == []
    admin = factories.staff("structure_admin", world.ij, email="admin-ij@example.org")
    login(client, admin.email)
    r = submit(
        client,
        "/annuaire/IJ-T/services/nouveau",
        {
            "title": "Atelier CV",
            "description": "Chaque mercredi, un atelier pour écrire son CV.",
            "needs": ["vae"],
            "fees": "gratuit",
        },
    )
    assert r.status_code == 302
    assert [e["code"] for e in client.get("/api/v1/structures?q=atelier").get_json()] == ["IJ-T"]
    r = submit(client, "/annuaire/IJ-T/modifier", {"name": "Info jeunes du Drouais"})
    assert r.status_code == 302
    assert "Info jeunes du Drouais" in names(
        client, FINDER.replace("job_search,vae", "orientation")
    )
    service = db.session.execute(
        db.select(DirectoryService).where(DirectoryService.title == "Atelier CV")
    ).scalar_one()
    assert submit(client, f"/annuaire/IJ-T/services/{service.id}/supprimer", {}).status_code == 302
    assert client.get("/api/v1/structures?q=atelier").get_json() == []


def test_admin_edit_and_deactivation_are_seen_by_the_next_request(app, client, world):
    admin = factories.staff("admin", None, email="admin@example.org", name="Alex Admin")
    admin_client = app.test_client()
    login(admin_client, admin.email)
    assert "France Travail test" in names(client)
    r = submit(
        admin_client,
        "/admin/structures/FT-T/modifier",
        {"code": "FT-T", "name": "France Travail Chartres", "type": "FT", "department": "28"},
    )
    assert r.status_code == 302
    assert "France Travail Chartres" in names(client)
    assert submit(admin_client, "/admin/structures/FT-T/desactiver", {}).status_code == 302
    assert "France Travail Chartres" not in names(client)
    assert "France Travail Chartres" not in names(client, FINDER)
    assert submit(admin_client, "/admin/structures/FT-T/reactiver", {}).status_code == 302
    assert "France Travail Chartres" in names(client)


def test_the_import_cli_is_seen_by_the_next_request(client, runner, world, tmp_path):
    url = "/api/v1/structures?q=vernouillet"
    assert client.get(url).get_json() == []
    path = tmp_path / "directory.json"
    path.write_text(
        json.dumps(
            {
                "structures": [
                    {
                        "source": "dora",
                        "id": "dora--pij",
                        "nom": "Point information jeunesse de Vernouillet",
                        "date_maj": "2025-03-01",
                        "code_insee": w.VERNOUILLET,
                        "commune": "Vernouillet",
                        "code_postal": "28500",
                    }
                ],
                "services": [],
            }
        )
    )
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert [e["name"] for e in client.get(url).get_json()] == [
        "Point information jeunesse de Vernouillet"
    ]


def test_bulk_orm_writes_move_the_version_and_raw_sql_needs_the_bump_command(client, runner, world):
    assert "Chambre de métiers test" in names(client, "/api/v1/structures")
    db.session.execute(
        update(Structure).where(Structure.code == "CMA-T").values(name="CMA Centre-Val de Loire")
    )
    db.session.commit()
    assert "CMA Centre-Val de Loire" in names(client, "/api/v1/structures")

    db.session.execute(text("UPDATE structures SET name = 'CMA 28' WHERE code = 'CMA-T'"))
    db.session.commit()
    assert "CMA 28" not in names(client, "/api/v1/structures")  # around the ORM: not seen
    result = runner.invoke(args=["directory", "bump"])
    assert result.exit_code == 0, result.output
    assert "CMA 28" in names(client, "/api/v1/structures")


def test_a_rolled_back_write_keeps_the_version(ctx, world):
    before = version.current(db.session)
    directory.update_entry(world.ml, {"name": "Jamais enregistré"})
    assert version.current(db.session) == before + 1  # in the writer's transaction
    db.session.rollback()
    assert version.current(db.session) == before
    factories.structure("NEW-T")  # commits
    assert version.current(db.session) == before + 1


def test_the_cache_is_bounded(app, client, world):
    app.config["DIRECTORY_CACHE_SIZE"] = 3
    for department in ("28", "45", "41", "37", "36"):
        assert client.get(f"/api/v1/structures?department={department}").status_code == 200
    with app.app_context():
        answers = cache.answers()
        assert len(answers) == 3
        assert {key[1].department for key in answers._entries} == {"41", "37", "36"}


def test_the_cache_is_bounded_in_bytes(app, client, world):
    app.config["DIRECTORY_CACHE_BYTES"] = 1
    first = client.get("/api/v1/structures")
    assert client.get("/api/v1/structures").get_data() == first.get_data()
    with app.app_context():
        assert len(cache.answers()) == 0 and cache.answers().bytes == 0  # too big to keep
        cache.answers().max_bytes = len(first.get_data()) + 10
    client.get("/api/v1/structures")
    with app.app_context():
        assert len(cache.answers()) == 1
        assert cache.answers().bytes == len(first.get_data())
    client.get("/api/v1/structures?department=28")  # a second answer: the first one goes
    with app.app_context():
        assert len(cache.answers()) == 1
        (key,) = cache.answers()._entries
        assert key[1].department == "28"


def test_an_answer_lives_until_the_next_change_of_open_now(ctx, world):
    # ML-T: "Mo-Fr 09:00-12:30,13:30-17:00; PH off"; a Monday that is not a holiday
    at = datetime(2026, 3, 2, 12, 29, 30, tzinfo=LOCAL_TZ)
    assert cache._lifetime([world.ml], at) == 30.0
    at = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
    assert cache._lifetime([world.ml], at) == cache.MAX_AGE
    assert cache._lifetime([world.ft], at) == cache.MAX_AGE  # no hours
