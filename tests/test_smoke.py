def test_sign_in_and_list_agencies(client, york):
    r = client.post(
        "/api/v1/auth/token",
        data={"username": "admin@york.example", "password": "assure-demo-2023"},
    )
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = client.get(f"/api/v1/partnerships/{york.id}/agencies", headers=headers, params={"limit": 100})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 17
    assert sum(a["statutory_partner"] for a in body["items"]) == 3
    me = client.get("/api/v1/me", headers=headers).json()
    print(me)
