"""pytest-jupyter's server fixtures (``jp_fetch`` and friends) for this folder only: its autouse fixtures
make a ServerApp and an event loop per test, which the rest of the suite does not need."""

import pytest
from pytest_jupyter.jupyter_core import *  # noqa: F403
from pytest_jupyter.jupyter_server import *  # noqa: F403
from pytest_jupyter.pytest_tornasync import *  # noqa: F403


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"runlab.server": True}}}
