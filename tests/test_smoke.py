def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_home_is_french(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Créer mon passeport" in r.get_data(as_text=True)
