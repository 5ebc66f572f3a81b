from sqlmodel import select
from api.models import Agency, Return, Programme


def test_probe(client, token_for, york, db):
    h = token_for("editor@york.example")
    r = client.get(f"/api/v1/partnerships/{york.id}/returns", headers=h).json()
    for it in r["items"]:
        print(it["id"], it["programme_title"], it["status"], it.get("agency_name"))
    rid = [it for it in r["items"] if "2026" in it["programme_title"]][0]["id"]
    ret = client.get(f"/api/v1/partnerships/{york.id}/returns/{rid}", headers=h).json()
    print({k: v for k, v in ret.items() if k not in ("responses", "progress")})
    c = client.post(f"/api/v1/partnerships/{york.id}/returns/{rid}/carry-forward", headers=h)
    print(c.status_code, c.json())
    ret = client.get(f"/api/v1/partnerships/{york.id}/returns/{rid}", headers=h).json()
    print(ret["rated"], ret["requirement_count"])
    for x in ret["responses"]:
        print(
            x["requirement_id"], x["rating"], x.get("carried_forward"), (x["evidence"] or "")[:40]
        )
    plan = client.get(
        f"/api/v1/partnerships/{york.id}/actions", headers=h, params={"plan_of": rid}
    ).json()
    for a in plan["items"]:
        print("ACTION", a["requirement_ids"], a["status"], a["description"][:50])
    ha = token_for("approver@york.example")
    s = client.post(
        f"/api/v1/partnerships/{york.id}/returns/{rid}/submit",
        headers=ha,
        json={"name": "X", "role": "Y", "declaration": True},
    )
    print(s.status_code, s.json())
    assert 0
