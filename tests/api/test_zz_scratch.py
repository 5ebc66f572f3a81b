import json, time
import pytest
from fastapi.testclient import TestClient

def test_overhead(client, token_for, york):
    t=time.perf_counter()
    h = token_for("admin@york.example")
    r = client.get(f"/api/v1/partnerships/{york.id}/agencies", headers=h)
    assert r.status_code == 200
    print("req", time.perf_counter()-t)

@pytest.mark.parametrize("i", range(20))
def test_many(client, token_for, york, i):
    h = token_for("admin@york.example")
    r = client.get(f"/api/v1/partnerships/{york.id}/agencies", headers=h)
    assert r.status_code == 200

def test_probe(api_app, token_for, york):
    c = TestClient(api_app, raise_server_exceptions=False)
    h = token_for("admin@york.example")
    doc = {"key": "emoji-x", "name": "E", "rating_scale": {"name": "s", "levels": [{"code": "a", "label": "A", "colour": "green"}, {"code": "b", "label": "B", "colour": "red"}]},
           "standards": [{"code": "1", "title": "T 😀", "requirements": [{"code": "1.1", "text": "x"}]}]}
    r = c.post(f"/api/v1/partnerships/{york.id}/frameworks", content=json.dumps(doc), headers={**h, "Content-Type": "application/json"})
    print("EMOJI", r.status_code, r.text[:300])
    r = c.post(f"/api/v1/partnerships/{york.id}/frameworks", content=json.dumps({**doc, "key": "tabbed"}, indent="\t"), headers={**h, "Content-Type": "application/json"})
    print("TAB", r.status_code, r.text[:300])
    r = c.post(f"/api/v1/partnerships/{york.id}/agencies", json={"name": "a\x00b", "sector": "other"}, headers=h)
    print("NUL", r.status_code, r.text[:300])
    r = c.get(f"/api/v1/partnerships/{york.id}/agencies", params={"q": "a\x00b"}, headers=h)
    print("NULQ", r.status_code, r.text[:300])
    r = c.post("/api/v1/auth/token", data={"username": "a"*300, "password": "x"})
    print("LONGUSER", r.status_code, r.text[:300])
    r = c.get(f"/api/v1/partnerships/{york.id}/audit-events", params={"since": "0001-01-01T00:00:00+14:00"}, headers=h)
    print("SINCE", r.status_code, r.text[:300])
    r = c.post(f"/api/v1/partnerships/{york.id}/frameworks", content=b"key: x", headers={"Content-Type": "text/plain"})
    print("415anon", r.status_code, r.text[:300])
