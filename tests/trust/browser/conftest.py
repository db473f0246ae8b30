"""The browser fixtures of tests/browser (live server, system Chromium, axe-core)."""

from tests.browser.conftest import (  # noqa: F401
    CHROMIUM,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    clean_live_database,
    live_app,
    live_server,
    pytest_collection_modifyitems,
)
