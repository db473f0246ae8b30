"""``make bench`` writes its table between its markers and leaves the rest of the report."""

from __future__ import annotations

from scripts import bench

INDICATORS = "## Indicators\nTarget (issue 10): p95 within 300 ms.\n\n| a | b |\n|---|---|\n"


def test_the_table_goes_between_the_markers_and_the_indicators_stay(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text(f"# Benchmarks\n\nIntro.\n\n{INDICATORS}")
    bench.write_report(report, "first table")
    text = report.read_text()
    assert text.index(bench.BEGIN) < text.index("first table") < text.index(bench.END)
    assert text.index(bench.END) < text.index("## Indicators") and text.endswith(INDICATORS)

    edited = text.replace("Intro.", "Intro, edited by hand.") + "\n## Later section\nKept.\n"
    report.write_text(edited)
    bench.write_report(report, "second table")
    again = report.read_text()
    assert "first table" not in again and again.count("second table") == 1
    assert again == edited.replace("first table", "second table")


def test_wrk_lua_sets_only_what_the_request_has():
    get = bench.lua_script("GET", None, None)
    assert get == 'wrk.method = "GET"\n'
    post = bench.lua_script("POST", "sk_x", '{"a": "b"}')
    assert 'wrk.headers["Authorization"] = "Bearer sk_x"' in post
    assert 'wrk.body = "{\\"a\\": \\"b\\"}"' in post


def test_the_second_append_rotates_over_the_seeded_shares():
    creds = {"holder_token": "h", "api_key": "sk", "share_token": "one"}
    creds["append_share_tokens"] = "t1,t2,t3"
    rows = {row[0]: row for row in bench.endpoints(creds)}
    assert rows["signed append"][2] == "/api/v1/shared/one/receptions"
    assert rows["signed append"][5] is None  # every append to the one shared passport
    spread = rows[bench.SPREAD_APPEND]
    assert spread[5] == [f"/api/v1/shared/t{i}/receptions" for i in (1, 2, 3)]
    assert bench.TARGETS[bench.SPREAD_APPEND] == bench.TARGETS["signed append"]
    _, method, _, credential, body, paths = spread
    lua = bench.lua_script(method, credential, body, paths)
    assert 'paths = {"/api/v1/shared/t1/receptions", "/api/v1/shared/t2/receptions"' in lua
    assert "function request()" in lua and "wrk.format(nil, paths[" in lua
    _, method, _, credential, body, paths = rows["signed append"]
    assert "function request()" not in bench.lua_script(method, credential, body, paths)
