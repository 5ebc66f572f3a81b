"""What a return says its reader may do to it now (`allowed`): the web pages decide nothing
themselves, so this list must follow both the reader's permission and the return's state."""

from test_review import accept, submitted  # noqa: F401  (the fixture)
from test_submission import answer_all, url


def allowed(client, headers, pid: int, ret: int) -> set[str]:  # type: ignore[no-untyped-def]
    r = client.get(url(pid, f"/returns/{ret}"), headers=headers)
    assert r.status_code == 200, r.text
    return set(r.json()["allowed"])


def test_each_reader_is_told_what_they_may_do_at_each_state(client, auth, york, housing):
    pid, ret = york.id, housing["id"]
    assert allowed(client, auth("editor"), pid, ret) == {"answer"}
    assert allowed(client, auth("approver"), pid, ret) == {"answer"}  # nothing to submit yet
    assert allowed(client, auth("admin"), pid, ret) == {"review", "extend"}
    assert allowed(client, auth("scrutineer"), pid, ret) == set()
    answer_all(client, auth("editor"), pid, housing)
    assert allowed(client, auth("approver"), pid, ret) == {"answer", "sign_off"}
    assert allowed(client, auth("editor"), pid, ret) == {"answer"}


def test_a_submitted_return_may_be_reviewed_and_an_accepted_one_not(
    client,
    auth,
    york,
    submitted,  # noqa: F811
):
    pid, ret = york.id, submitted["id"]
    admin = auth("admin")
    assert allowed(client, admin, pid, ret) == {"review", "send_back", "moderate", "accept"}
    assert allowed(client, auth("editor"), pid, ret) == set()
    assert accept(client, admin, pid, ret).status_code == 200
    assert allowed(client, admin, pid, ret) == {"review"}


def test_a_closed_programmes_return_cannot_go_back(client, auth, york, submitted):  # noqa: F811
    pid, ret = york.id, submitted["id"]
    admin = auth("admin")
    programme = client.get(url(pid, f"/returns/{ret}"), headers=admin).json()["programme_id"]
    assert client.post(url(pid, f"/programmes/{programme}/close"), headers=admin).is_success
    assert allowed(client, admin, pid, ret) == {"review", "moderate", "accept"}


def test_the_business_unit_may_extend_a_due_date_only_until_the_first_submission(
    client, auth, york, housing
):
    """As the extension route itself answers: the partnership's admin (who manages
    programmes), while the programme is open and the return not yet submitted."""
    pid, ret = york.id, housing["id"]
    admin = auth("admin")
    assert "extend" in allowed(client, admin, pid, ret)
    for reader in ("scrutineer", "editor", "approver"):
        assert "extend" not in allowed(client, auth(reader), pid, ret), reader
    answer_all(client, auth("editor"), pid, housing)
    assert "extend" in allowed(client, admin, pid, ret)  # answered, not yet submitted
    programme = client.get(url(pid, f"/returns/{ret}"), headers=admin).json()["programme_id"]
    assert client.post(url(pid, f"/programmes/{programme}/close"), headers=admin).is_success
    assert "extend" not in allowed(client, admin, pid, ret)


def test_a_submitted_return_may_not_be_extended(client, auth, york, submitted):  # noqa: F811
    pid, ret = york.id, submitted["id"]
    extension = url(pid, f"/returns/{ret}/extension")
    assert "extend" not in allowed(client, auth("admin"), pid, ret)
    # and the route agrees with the list
    version = client.get(url(pid, f"/returns/{ret}"), headers=auth("admin")).json()["version"]
    r = client.put(
        extension,
        headers={**auth("admin"), "If-Match": f'"{version}"'},
        json={"due_on": "2099-01-01", "reason": "Flooding"},
    )
    assert r.status_code == 409, r.text


def test_the_return_says_what_evidence_files_are_accepted(client, auth, york, housing):
    r = client.get(url(york.id, f"/returns/{housing['id']}"), headers=auth("editor"))
    rules = r.json()["evidence_files"]
    assert rules["max_bytes"] == 10 * 1024 * 1024
    assert ".pdf" in rules["accept"].split(",")
    assert "up to 10 MB" in rules["hint"]
