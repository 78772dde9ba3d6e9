"""Fixtures shared by every test: an app, a client for one store, and a client maker.
Helpers are imported from tests.support, never from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from tests.support.clients import client_for


@pytest.fixture
def app() -> Any:
    return create_app(Settings(seed=7))


@pytest.fixture
def client(app: Any) -> TestClient:
    return client_for(app)


@pytest.fixture
def make_client() -> Callable[..., TestClient]:
    """A client for a fresh app built with the given settings."""

    def make(settings: Settings | None = None, **kwargs: Any) -> TestClient:
        return client_for(create_app(settings or Settings()), **kwargs)

    return make
