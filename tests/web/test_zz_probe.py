from websupport import *
from pagekit import parse

def test_probe(admin, york, north, visitor_as):
    for url in [f"/p/{york.id}/programmes/new"]:
        r = admin.get(url)
        print(url, r.status_code)
    csrf = parse(admin.get(f"/p/{york.id}/programmes/new").text).csrf_token()
    r = admin.post(f"/p/{york.id}/programmes/new", data={"csrf_token": csrf, "title": "", "framework_version_id": "", "opens_on": "", "deadline": ""})
    print(r.status_code); p = parse(r.text); print(p.error_summary().text if p.error_summary() else r.text[:3000])
    r = admin.post(f"/p/{york.id}/programmes/new", data={"csrf_token": csrf, "title": "X", "opens_on": "2027-05-01", "deadline": "2027-04-01", "all_agencies":"yes", "framework_version_id": "1"})
    print(r.status_code); p = parse(r.text); print(p.error_summary().text)
    for url in [f"/p/{york.id}/agencies?q=a%00b", f"/p/{york.id}/people?q=%00", f"/p/{york.id}/audit?action=%00", f"/p/{york.id}/agencies?page=abc", f"/p/{york.id}/frameworks/1/versions/99", "/p/99999999999999999999999", f"/p/{york.id}/programmes/99999999999999999999", f"/p/{york.id}/agencies?q=" + "x"*101, f"/p/{york.id}/audit?action=" + "%E2%82%AC"*64, f"/p/{york.id}/programmes?status=bogus", "/sign-in?next=%00"]:
        r = admin.get(url)
        print(url[:80], r.status_code, parse(r.text).h1 if "<h1" in r.text else r.text[:200])
    ed = visitor_as(EDITOR)
    for url in [f"/p/{york.id}/people", f"/p/{york.id}/audit", f"/p/{north.id}", f"/p/{york.id}/programmes/new", f"/p/{york.id}/programmes"]:
        r = ed.get(url)
        print("editor", url, r.status_code, parse(r.text).h1)
    csrf = parse(ed.get(f"/p/{york.id}/programmes").text).csrf_token()
    r = ed.post(f"/p/{york.id}/programmes/new", data={"csrf_token": csrf, "title": "X", "opens_on": "2027-05-01", "deadline": "2027-06-01", "all_agencies":"yes", "framework_version_id": "1"})
    print("editor post", r.status_code, parse(r.text).h1, parse(r.text).find("main").text)
    r = ed.post(f"/p/{york.id}/programmes/2/close", data={"csrf_token": csrf})
    print("editor close", r.status_code, parse(r.text).h1)
