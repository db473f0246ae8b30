"""The holder, network and advisor of the sharing page tests."""

from tests.sharing_web.conftest import (  # noqa: F401
    advisor_client,
    holder,
    network,
)
