"""The API's vocabulary that the pages mirror (web/contract.py) is the one the API
publishes: a status or sector added there must be added here, or this fails."""

import pytest
from fastapi.testclient import TestClient

from web import contract
from web.app import create_web_app
from web.settings import get_settings


def test_the_pages_know_every_value_the_api_publishes(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for mirrored in (contract.Sector, contract.ReturnStatus, contract.ActionStatus):
        assert [m.value for m in mirrored] == schemas[mirrored.__name__]["enum"]
    assert [m.value for m in contract.ProgrammeStatus] == schemas["ProgrammeStatus"]["enum"]
    assert set(contract.RETURN_LABELS) == set(contract.ReturnStatus)
    assert set(contract.ACTION_LABELS) == set(contract.ActionStatus)
    for mirrored in (contract.EventStatus, contract.SessionStatus, contract.Outcome):
        assert [m.value for m in mirrored] == schemas[mirrored.__name__]["enum"]
    assert set(contract.EVENT_LABELS) == set(contract.EventStatus)
    assert set(contract.SESSION_LABELS) == set(contract.SessionStatus)
    assert set(contract.OUTCOME_LABELS) == set(contract.Outcome)
    assert [m.value for m in contract.MessageState] == schemas["MessageState"]["enum"]
    assert set(contract.MESSAGE_LABELS) == set(contract.MessageState)


def test_the_pages_alone_need_the_address_of_the_api(monkeypatch):
    """A machine that serves only the pages must be told where the API is."""
    monkeypatch.setenv("ASSURE_API_BASE_URL", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="ASSURE_API_BASE_URL"):
            create_web_app()
    finally:
        get_settings.cache_clear()
