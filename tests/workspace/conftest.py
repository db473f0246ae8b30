"""Fixtures of the workspace tests: the same network, holder and advisors as the sharing pages."""

from tests.sharing_web.conftest import (  # noqa: F401
    advisor_client,
    cio_client,
    holder,
    network,
)
