"""On a phone (320 px) the header and the passport's tabs leave room for the page: the main
heading starts within 200 px of the top, nothing scrolls sideways, axe-core finds nothing,
and the menu, folded behind a "Menu" button (a <details>, no script), opens from the
keyboard. static/menu.js closes it on Escape (the focus back on the button), when the focus
leaves it and when a link in it is chosen; without JavaScript the disclosure still works.
From 40em on the menu is always open and the button is gone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.accounts import services as accounts
from passport.extensions import db
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_app) -> None:
    with live_app.app_context():
        ml = structures.add_structure("ML28", "Mission locale de Dreux", "ML", "28")
        accounts.register_individual("lea@example.org", PASSWORD, "Léa Martin")
        accounts.create_user("camille@ml.example.org", PASSWORD, "Camille Roux", "advisor", ml)
        db.session.commit()


def _login(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/connexion$"))


def _heading_top(page: Page) -> float:
    return page.evaluate(
        "document.querySelector('main h1').getBoundingClientRect().top + window.scrollY"
    )


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _tab_to(page: Page, locator, limit: int = 30) -> None:
    """Press Tab until ``locator`` has the focus (fails after ``limit`` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("not reachable with the Tab key")


@pytest.mark.parametrize("path", ["/passeport/", "/passeport/formations", "/partages"])
def test_on_a_phone_the_holder_s_page_starts_near_the_top(people, page: Page, base_url, path):
    page.set_viewport_size({"width": 320, "height": 640})
    _login(page, base_url, "lea@example.org")
    page.goto(base_url + path)
    nav = page.get_by_role("navigation", name="Menu principal")
    menu = nav.locator("summary")
    expect(menu).to_be_visible()
    folded = nav.locator("a", has_text="Mes partages")
    expect(folded).to_have_count(1)
    expect(folded).to_be_hidden()  # folded
    assert _heading_top(page) <= 200
    _no_horizontal_scroll(page)
    assert_accessible(page)

    # The menu by keyboard only: Tab to the button, Enter opens it, Tab reaches its links.
    _tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Mes partages")).to_be_visible()
    expect(nav.get_by_role("button", name="Se déconnecter")).to_be_visible()
    _no_horizontal_scroll(page)
    assert_accessible(page)  # open, too
    link = nav.get_by_role("link", name="Mes données")
    _tab_to(page, link, limit=10)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mes-donnees$"))
    assert _heading_top(page) <= 200  # closed again on the next page


def _is_open(nav) -> bool:
    return nav.locator("details").evaluate("el => el.open")


def test_on_a_phone_escape_a_leaving_focus_or_a_chosen_link_closes_the_menu(
    people, page: Page, base_url
):
    page.set_viewport_size({"width": 320, "height": 640})
    _login(page, base_url, "lea@example.org")
    page.goto(base_url + "/passeport/")
    nav = page.get_by_role("navigation", name="Menu principal")
    menu = nav.locator("summary")

    # Escape, from a link inside: closed, and the focus back on the "Menu" button.
    _tab_to(page, menu)
    page.keyboard.press("Enter")
    link = nav.get_by_role("link", name="Mes partages")
    _tab_to(page, link, limit=10)
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()
    assert not _is_open(nav)
    assert menu.evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")  # closed already: nothing happens
    assert menu.evaluate("el => el === document.activeElement")

    # Tab past the last item ("Se déconnecter"): the focus leaves, the menu closes.
    page.keyboard.press("Enter")
    logout = nav.get_by_role("button", name="Se déconnecter")
    expect(logout).to_be_visible()
    _tab_to(page, logout, limit=15)
    page.keyboard.press("Tab")
    expect(logout).to_be_hidden()
    assert not _is_open(nav)

    # A click elsewhere on the page (below the open menu, over the top of the page) too.
    menu.click()
    expect(link).to_be_visible()
    page.mouse.click(160, 620)
    expect(link).to_be_hidden()

    # A chosen link closes it (the navigation is held back here to look at the menu).
    menu.click()
    page.evaluate("document.addEventListener('click', event => event.preventDefault())")
    link.click()
    expect(link).to_be_hidden()
    assert not _is_open(nav)


def test_without_javascript_the_menu_still_opens_and_closes(
    people, browser: Browser, base_url, browser_context_args
):
    context = browser.new_context(
        **{**browser_context_args, "java_script_enabled": False},
        viewport={"width": 320, "height": 640},
    )
    try:
        page = context.new_page()
        _login(page, base_url, "lea@example.org")
        page.goto(base_url + "/passeport/")
        nav = page.get_by_role("navigation", name="Menu principal")
        menu = nav.locator("summary")
        link = nav.get_by_role("link", name="Mes partages")
        expect(link).to_be_hidden()
        _tab_to(page, menu)
        page.keyboard.press("Enter")
        expect(link).to_be_visible()
        page.keyboard.press("Enter")  # the button again
        expect(link).to_be_hidden()
        menu.click()
        link.click()
        expect(page).to_have_url(re.compile(r"/partages$"))
    finally:
        context.close()


def test_on_a_phone_the_passport_tabs_stay_one_scrolling_line(people, page: Page, base_url):
    page.set_viewport_size({"width": 320, "height": 640})
    _login(page, base_url, "lea@example.org")
    page.goto(base_url + "/passeport/")
    tabs = page.get_by_role("navigation", name="Sections du passeport").get_by_role("link")
    tops = {round(box["y"]) for box in (tabs.nth(i).bounding_box() for i in range(tabs.count()))}
    assert len(tops) == 1  # one line, scrolled sideways inside its own box
    content_top = page.evaluate(
        "document.querySelector('.tabs').getBoundingClientRect().bottom + window.scrollY"
    )
    assert content_top <= 260
    # The last tab, out of sight, is reached by keyboard and scrolled into view.
    last = tabs.last
    _tab_to(page, last, limit=40)
    expect(last).to_be_in_viewport()
    _no_horizontal_scroll(page)


def test_an_advisor_s_menu_folds_on_a_phone_and_shows_new_items(people, page: Page, base_url):
    page.set_viewport_size({"width": 320, "height": 640})
    _login(page, base_url, "camille@ml.example.org")
    page.goto(base_url + "/espace")
    assert _heading_top(page) <= 200
    _no_horizontal_scroll(page)
    assert_accessible(page)


@pytest.mark.parametrize("width", [640, 1280])
def test_wider_the_menu_is_always_open(people, page: Page, base_url, width):
    page.set_viewport_size({"width": width, "height": 800})
    _login(page, base_url, "lea@example.org")
    page.goto(base_url + "/passeport/")
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav.locator("summary")).to_be_hidden()
    link = nav.get_by_role("link", name="Mes partages")
    expect(link).to_be_visible()
    _tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/partages$"))
    assert_accessible(page)


def test_a_visitor_sees_the_two_links_without_a_menu(page: Page, base_url):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(base_url + "/connexion")
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav.locator("summary")).to_have_count(0)
    expect(nav.get_by_role("link", name="Créer mon passeport")).to_be_visible()
    assert _heading_top(page) <= 200
    _no_horizontal_scroll(page)
    assert_accessible(page)
