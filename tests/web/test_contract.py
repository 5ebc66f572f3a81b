"""The API's vocabulary that the pages mirror (web/contract.py) is the one the API
publishes: a status or sector added there must be added here, or this fails."""

from fastapi.testclient import TestClient

from web import contract


def test_the_pages_know_every_value_the_api_publishes(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for mirrored in (contract.Sector, contract.ReturnStatus, contract.ActionStatus):
        assert [m.value for m in mirrored] == schemas[mirrored.__name__]["enum"]
    assert [m.value for m in contract.ProgrammeStatus] == schemas["ProgrammeStatus"]["enum"]
    assert set(contract.RETURN_LABELS) == set(contract.ReturnStatus)
    assert set(contract.ACTION_LABELS) == set(contract.ActionStatus)
