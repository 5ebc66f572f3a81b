from websupport import *
from pagekit import parse
from fastapi.testclient import TestClient

def test_probe(admin, york, north, visitor_as, site_app):
    ed = visitor_as(EDITOR)
    csrf = parse(ed.get(f"/p/{york.id}/agencies").text).csrf_token()
    r = ed.post(f"/p/{york.id}/programmes/new", data={"csrf_token": csrf, "title": "X", "opens_on": "2027-05-01", "deadline": "2027-06-01", "all_agencies":"yes", "framework_version_id": "1"})
    print("editor post", r.status_code, parse(r.text).h1, parse(r.text).find("main").text)
    r = ed.post(f"/p/{york.id}/programmes/2/close", data={"csrf_token": csrf})
    print("editor close", r.status_code, r.text[:300])
    c = TestClient(site_app, raise_server_exceptions=False, follow_redirects=False)
    c.cookies = ed.cookies
    for u in ["", "/programmes", "/programmes/2", "/programmes/1"]:
        r = c.get(f"/p/{york.id}{u}")
        print("editor", u, r.status_code, parse(r.text).h1)
    ex = visitor_as(EXECUTIVE)
    c.cookies = ex.cookies
    for u in ["", "/programmes", "/programmes/2", "/agencies", "/agencies/1"]:
        r = c.get(f"/p/{york.id}{u}")
        print("exec", u, r.status_code, parse(r.text).h1)
    sc = visitor_as(SCRUTINEER)
    for u in ["", "/programmes", "/programmes/2", "/people", "/audit", "/programmes/new"]:
        r = sc.get(f"/p/{york.id}{u}")
        print("scrut", u, r.status_code, parse(r.text).h1)
    pl = visitor_as(PLATFORM)
    r = pl.get("/"); print("platform", r.status_code, parse(r.text).h1, r.headers.get("location"))
    r = admin.get(f"/p/{york.id}/programmes/2"); print(r.text[r.text.index("<main"):][:2500])
