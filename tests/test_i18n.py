"""The English catalog: complete, in step with the code, compiled, and used by the pages.

The interface is written in French (the msgids); English comes from
``passport/translations/en/LC_MESSAGES/messages.po``. A French string added to a template or
to the Python code without its English translation fails here, with the fix spelled out.
"""

from __future__ import annotations

import ast
import html
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.web import submit

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "passport" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
HOW_TO_FIX = (
    "Run `make translations`, translate the new entries in "
    "passport/translations/en/LC_MESSAGES/messages.po (no empty msgstr, no '#, fuzzy' left), "
    "then run `make translations` again to compile messages.mo, and commit the .pot, .po and .mo."
)

# Every %-placeholder: %(name)s, %s, %d, %%...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
GETTEXT_FUNCTIONS = {
    "gettext",
    "ngettext",
    "pgettext",
    "npgettext",
    "lazy_gettext",
    "lazy_ngettext",
    "lazy_pgettext",
    "lazy_npgettext",
}


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def _entries(catalog):
    return [m for m in catalog if m.id]


def _key(message_id, context=None):
    singular = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return (context, singular)


def _flat(value):
    """A msgid or msgstr, plural ones as tuples (the .po and .mo readers differ)."""
    return tuple(value) if isinstance(value, (tuple, list)) else value


def _show(message_id) -> str:
    return repr(message_id[0] if isinstance(message_id, (tuple, list)) else message_id)


def makefile_keywords() -> dict:
    """The ``-k`` options of the Makefile's ``pybabel extract``, as babel keyword specs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next((ln for ln in makefile.splitlines() if "pybabel extract" in ln), None)
    assert line is not None, "the Makefile's `translations` target has no `pybabel extract` line"
    args = shlex.split(line.replace("$(BIN)/", ""))
    extra = [
        args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("-k", "--keyword", "--keywords")
    ]
    extra += [arg.split("=", 1)[1] for arg in args if arg.startswith("--keyword=")]
    defaults = {} if {"-K", "--no-default-keywords"} & set(args) else DEFAULT_KEYWORDS
    return {**defaults, **parse_keywords(extra)}


def fresh_extraction() -> dict:
    """What `make translations` would extract now: {(context, msgid): (message, where)}."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    outside = [pattern for pattern, _method in method_map if not pattern.startswith("passport/")]
    assert not outside, f"babel.cfg patterns outside passport/ are not checked here: {outside}"
    found: dict = {}
    package = ROOT / "passport"

    def only_the_package(path: str) -> bool:  # babel.cfg's patterns are all under passport/
        folder = Path(path)
        return folder == package or package in folder.parents

    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=makefile_keywords(),
        directory_filter=only_the_package,
    ):
        if not (message[0] if isinstance(message, tuple) else message):
            continue
        found.setdefault(_key(message, context), (message, f"{filename}:{lineno}"))
    return found


# --- (a) complete ------------------------------------------------------------------------


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalog = _catalog()
    entries = _entries(catalog)
    assert len(entries) > 500, "the English catalog looks truncated"
    assert not catalog.fuzzy, "the catalog header is marked fuzzy: pybabel compile would skip it"
    untranslated = [
        _show(m.id)
        for m in entries
        if not m.string or (isinstance(m.string, (tuple, list)) and not all(m.string))
    ]
    fuzzy = [_show(m.id) for m in entries if m.fuzzy]
    assert not (untranslated or fuzzy), (
        f"French strings without English: {untranslated}; "
        f"fuzzy (guessed by pybabel update, not used until checked): {fuzzy}. {HOW_TO_FIX}"
    )


def test_plural_entries_have_both_english_forms():
    catalog = _catalog()
    assert catalog.num_plurals == 2
    plurals = [m for m in _entries(catalog) if m.pluralizable]
    assert plurals, "the templates use ngettext: the catalog should have plural entries"
    for m in plurals:
        assert isinstance(m.string, (tuple, list)) and len(m.string) == 2, m.id
        assert m.string[0] != m.string[1], f"singular and plural are the same for {m.id!r}"


# --- (b) in step with the code -----------------------------------------------------------


def test_catalog_matches_a_fresh_extraction():
    extracted = fresh_extraction()
    assert len(extracted) > 500, "the extraction found too little: check babel.cfg"
    files = {where.split(":", 1)[0] for _message, where in extracted.values()}
    assert any(f.endswith(".html") for f in files), "no template strings extracted"
    assert any(f.endswith(".py") for f in files), "no Python strings extracted"

    in_po = {_key(m.id, m.context): m for m in _entries(_catalog())}
    new = [
        f"{_show(message)} ({where})"
        for key, (message, where) in sorted(extracted.items(), key=lambda kv: kv[1][1])
        if key not in in_po
    ]
    assert not new, (
        f"{len(new)} French string(s) in the code are not in the English catalog: "
        + "; ".join(new)
        + f". {HOW_TO_FIX}"
    )
    gone = [_show(m.id) for key, m in in_po.items() if key not in extracted]
    assert not gone, (
        f"The catalog has strings the code no longer uses: {gone}. Run `make translations` "
        "(pybabel update moves them out) and commit the .pot, .po and .mo."
    )
    plural_changed = [
        _show(message)
        for key, (message, _where) in extracted.items()
        if isinstance(message, tuple) and tuple(in_po[key].id) != tuple(message)
    ]
    assert not plural_changed, f"Plural msgids differ from the code: {plural_changed}. {HOW_TO_FIX}"


def test_the_makefile_extracts_every_gettext_alias_the_code_uses():
    """``from flask_babel import lazy_gettext as _l`` is only extracted if ``-k _l`` is given."""
    keywords = makefile_keywords()
    missing = []
    for path in sorted((ROOT / "passport").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if alias.name in GETTEXT_FUNCTIONS and bound not in keywords:
                        missing.append(f"{path.relative_to(ROOT)}: {bound}")
    assert not missing, (
        f"These gettext names are not extracted by the Makefile's `pybabel extract`: {missing}. "
        "Add them with `-k NAME` (plural functions: `-k NAME:1,2`)."
    )


def test_compiled_catalog_is_up_to_date():
    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    in_mo = {_flat(m.id): _flat(m.string) for m in compiled if m.id}
    stale = []
    for m in _entries(_catalog()):
        if in_mo.get(_flat(m.id)) != _flat(m.string):
            stale.append(_show(m.id))
    assert not stale, (
        f"messages.mo is older than messages.po for {stale[:5]}"
        f"{' and others' if len(stale) > 5 else ''}: run `make translations` "
        "(or `pybabel compile -d passport/translations`) and commit the .mo."
    )


# --- (d) placeholders --------------------------------------------------------------------


def test_placeholders_are_the_same_in_french_and_english():
    wrong = []
    for m in _entries(_catalog()):
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if set(PLACEHOLDER.findall(string or "")) != expected:
                wrong.append(f"{_show(m.id)} -> {string!r}")
    assert not wrong, f"Placeholders differ between msgid and msgstr: {wrong}"


def test_placeholder_pattern_sees_what_python_formats():
    assert PLACEHOLDER.findall("%(n)s sur %(t)s, 50 %% et %d") == ["%(n)s", "%(t)s", "%%", "%d"]


# --- (c) the pages -----------------------------------------------------------------------


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_home_page_is_french_by_default_and_english_with_the_cookie(client):
    french = _text(client.get("/"))
    assert '<html lang="fr">' in french
    assert "Votre parcours, dans votre poche." in french
    assert "Your journey, in your pocket." not in french

    client.set_cookie("lang", "en")
    english = _text(client.get("/"))
    assert '<html lang="en">' in english
    assert "Your journey, in your pocket." in english
    assert "How does it work?" in english
    assert "Create my passport" in english
    assert "Votre parcours" not in english
    assert "Comment ça marche" not in english


def test_login_page_in_english(client):
    client.set_cookie("lang", "en")
    page = _text(client.get("/connexion"))
    assert "<h1>Log in</h1>" in page
    assert "Email address" in page
    assert "Forgotten your password?" in page
    assert "Stay logged in on this device" in page
    assert "Se connecter" not in page
    assert "Mot de passe" not in page

    wrong = submit(client, "/connexion", {"email": "nobody@example.org", "password": "not the one"})
    assert "Wrong email address or password." in _text(wrong)


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        (
            "en",
            [
                "The form has some errors. Please correct the fields marked below.",
                "Enter your name.",
                "This email address is not valid.",
                "The password must be at least 12 characters long.",
                "The two passwords do not match.",
            ],
            ["Indiquez votre nom.", "Les deux mots de passe"],
        ),
        (
            None,
            [
                "Le formulaire contient des erreurs.",
                "Indiquez votre nom.",
                "Cette adresse e-mail n'est pas valide.",
                "Le mot de passe doit compter au moins 12 caractères.",
                "Les deux mots de passe ne sont pas identiques.",
            ],
            ["Enter your name.", "do not match"],
        ),
    ],
)
def test_registration_errors_follow_the_language(client, lang, expected, absent):
    if lang:
        client.set_cookie("lang", lang)
    response = submit(
        client,
        "/inscription",
        {"full_name": "", "email": "not-an-address", "password": "short", "confirm": "other"},
    )
    assert response.status_code == 200
    page = _text(response)
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


def test_english_only_browser_gets_english_and_a_french_one_gets_french(client):
    english = _text(client.get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert "<h1>Log in</h1>" in english
    french = _text(client.get("/connexion", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}))
    assert "<h1>Se connecter</h1>" in french
    # The cookie wins over the browser.
    client.set_cookie("lang", "fr")
    chosen = _text(client.get("/connexion", headers={"Accept-Language": "en"}))
    assert "<h1>Se connecter</h1>" in chosen


def test_language_form_switches_to_english_and_back(client):
    response = submit(client, "/langue", {"lang": "en", "next": "/connexion"}, form_url="/")
    assert response.status_code == 302
    assert "<h1>Log in</h1>" in _text(client.get("/connexion"))
    submit(client, "/langue", {"lang": "fr", "next": "/"}, form_url="/")
    assert "<h1>Se connecter</h1>" in _text(client.get("/connexion"))
