"""Evidence files in the browser: added beside an answer with or without JavaScript, refused
with the reason beside the file field, and downloaded through the web app, never by anyone
who may not see the return."""

import hashlib
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from websupport import ADMIN, EDITOR, HTMX, count, page_of

from api.models import (
    Agency,
    Attachment,
    EvidenceFile,
    Partnership,
    Programme,
    RequirementResponse,
    Return,
    ReturnVersion,
)
from api.settings import get_settings

HOUSING = "City of York Council Housing Services"
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program"


def return_of(db: Session, agency: str) -> int:
    found = db.exec(
        select(Return.id)
        .join(Agency, col(Agency.id) == Return.agency_id)
        .join(Programme, col(Programme.id) == Return.programme_id)
        .where(Agency.name == agency, Programme.title == "Section 11 self-assessment 2026")
    ).one()
    assert found is not None
    return found


@pytest.fixture
def housing_return(db: Session) -> int:
    return return_of(db, HOUSING)


def add_file_buttons(page):  # type: ignore[no-untyped-def]
    """Each requirement's "Add file": it sends the requirement's whole form, as a file upload."""
    return [b for b in page.find_all("button") if b.get("formenctype") == "multipart/form-data"]


def open_standard_1(client: TestClient, pid: int, ret: int):  # type: ignore[no-untyped-def]
    page = page_of(client.get(f"/p/{pid}/returns/{ret}?standard=1"))
    button = add_file_buttons(page)[0]
    requirement = int(button["formaction"].split("/requirements/")[1].split("/")[0])
    return page, button, requirement


def send_file(client, page, button, name, content, headers=None, **typed):  # type: ignore[no-untyped-def]
    """Press "Add file" with a file chosen, and whatever was `typed` into the answer."""
    action, data = page.pressing(button)
    return client.post(
        action,
        data={**data, **typed},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers or {},
    )


def test_each_answer_offers_an_accessible_file_field(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int
) -> None:
    page = page_of(visitor_as(EDITOR).get(f"/p/{york.id}/returns/{housing_return}?standard=1"))
    buttons = add_file_buttons(page)
    assert len(buttons) == 3  # one for each requirement of standard 1
    field = page.one("input", type="file", form=buttons[0]["form"])
    label = page.one("label", for_=field["id"])
    assert label.text == "Add an evidence file for 1.1"
    hint = page.field(f"file-hint-{field['id'].removeprefix('file-')}").text
    assert "PDF" in hint and "CSV" in hint and "10 MB" in hint
    assert ".pdf" in field["accept"] and ".docx" in field["accept"]
    assert page.pressing(buttons[0])[1]["csrf_token"] == page.csrf_token()
    assert page.unlabelled_fields() == [] and page.broken_references() == []


def test_without_javascript_a_file_is_added_and_listed(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    r = send_file(editor, page, button, "Board minutes.pdf", PDF)
    assert r.status_code == 303, r.text
    target = f"/p/{york.id}/returns/{housing_return}?standard=1#answer-{requirement}"
    assert r.headers["location"] == target
    after = page_of(editor.get(target.split("#")[0]))
    files = after.field(f"files-{requirement}")
    link = files.one("a", href=True)
    assert link.text == "Board minutes.pdf"
    assert f"{len(PDF)} bytes, PDF document" in files.text
    assert "Remove Board minutes.pdf" in files.one("ul.file-list").one("button").text
    stored = db.exec(select(Attachment).where(Attachment.return_id == housing_return)).one()
    assert (stored.filename, stored.requirement_id) == ("Board minutes.pdf", requirement)

    download = editor.get(link["href"])
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Board%20minutes.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "private, no-store"


def answer_of(db: Session, return_id: int, requirement: int) -> RequirementResponse | None:
    db.expire_all()
    return db.exec(
        select(RequirementResponse).where(
            RequirementResponse.return_id == return_id,
            RequirementResponse.requirement_id == requirement,
        )
    ).first()


def test_without_javascript_what_was_typed_is_kept_when_a_file_is_added(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    """ "Add file" sends the requirement's whole form: the evidence typed but not yet saved
    is saved with the file, so the page that comes back still has it."""
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    typed = {"rating": "met", "evidence": "Scheme of delegation, page 4.", "comment": "Seen"}
    r = send_file(editor, page, button, "Scheme.pdf", PDF, **typed)
    assert r.status_code == 303, r.text
    saved = answer_of(db, housing_return, requirement)
    assert saved is not None
    assert (saved.rating, saved.evidence, saved.comment) == ("met", typed["evidence"], "Seen")
    after = page_of(editor.get(r.headers["location"].split("#")[0]))
    assert after.field(f"evidence-{requirement}").text == typed["evidence"]
    assert after.field(f"files-{requirement}").one("a", href=True).text == "Scheme.pdf"

    # "Remove" keeps a change typed since, too
    remove = after.field(f"files-{requirement}").one("ul.file-list").one("button")
    action, data = after.pressing(remove)
    r = editor.post(action, data={**data, "evidence": "Scheme of delegation, pages 4 and 5."})
    assert r.status_code == 303
    kept = answer_of(db, housing_return, requirement)
    assert kept is not None and kept.evidence == "Scheme of delegation, pages 4 and 5."
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0

    # an answer that was not changed is not saved again (no new version, no audit row)
    page, button, _ = open_standard_1(editor, york.id, housing_return)
    assert send_file(editor, page, button, "Again.pdf", PDF).status_code == 303
    assert answer_of(db, housing_return, requirement).version == kept.version  # type: ignore[union-attr]


def test_without_javascript_an_answer_that_cannot_be_saved_is_kept_on_the_page(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    """Someone else saved the answer meanwhile: the file waits, the typed text is shown."""
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    other = visitor_as(EDITOR)
    their_page, their_button, _ = open_standard_1(other, york.id, housing_return)
    _, theirs = their_page.pressing(their_button)
    saved = other.post(
        f"/p/{york.id}/returns/{housing_return}/answers/{requirement}",
        data={**theirs, "evidence": "Theirs"},
    )
    assert saved.status_code == 303
    r = send_file(editor, page, button, "Scheme.pdf", PDF, evidence="Mine, typed meanwhile")
    shown = page_of(r, 409)
    assert shown.title.startswith("Error: ")
    assert shown.field(f"evidence-{requirement}").text == "Mine, typed meanwhile"
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0


def refusal_on(page, requirement: int) -> str:  # type: ignore[no-untyped-def]
    """The refusal shown beside the file field, after checking it is summarised and linked."""
    files = page.field(f"files-{requirement}")
    summary = files.one("div.error-summary")
    assert summary.one("a")["href"] == f"#file-{requirement}"
    field = page.field(f"file-{requirement}")
    assert field.get("aria-invalid") == "true"
    assert f"file-error-{requirement}" in field["aria-describedby"].split()
    assert page.broken_references() == []
    return page.field(f"file-error-{requirement}").text.removeprefix("Error:").strip()


def test_a_file_of_the_wrong_type_is_refused_beside_its_field(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    r = send_file(editor, page, button, "report.pdf", EXE)
    refused = page_of(r, status=422)
    assert refused.h1.startswith(HOUSING)  # the whole page, without JavaScript
    assert "not a type of file we accept" in refusal_on(refused, requirement)
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0


def test_too_big_empty_and_no_file_are_each_explained(
    visitor_as: Callable[[str], TestClient],
    york: Partnership,
    housing_return: int,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1024 * 1024)
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    assert "up to 1 MB" in page.field(f"file-hint-{requirement}").text
    big = page_of(send_file(editor, page, button, "big.txt", b"a" * (1024 * 1024 + 1)), 422)
    assert "larger than the 1 MB limit" in refusal_on(big, requirement)
    empty = page_of(send_file(editor, page, button, "empty.pdf", b""), 422)
    assert "The file is empty" in refusal_on(empty, requirement)
    nothing = page_of(send_file(editor, page, button, "", b""), 422)
    assert refusal_on(nothing, requirement) == "Choose a file to add."
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0


def test_with_htmx_only_the_files_are_swapped(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    assert button["hx-target"] == f"#files-{requirement}"
    assert button["hx-encoding"] == "multipart/form-data"
    htmx = {**HTMX, "X-CSRF-Token": page.csrf_token()}
    r = send_file(editor, page, button, "Policy.pdf", PDF, headers=htmx)
    assert r.status_code == 200, r.text
    assert "<html" not in r.text and "<h1" not in r.text
    fragment = page_of(r)
    assert fragment.one("div.files")["id"] == f"files-{requirement}"
    assert "Policy.pdf was added." in fragment.one("p.notice").text
    assert fragment.one("a", href=True).text == "Policy.pdf"

    refused = send_file(editor, page, button, "report.pdf", EXE, headers=htmx)
    assert refused.status_code == 422  # htmx swaps 422, so the reason is shown
    assert "<html" not in refused.text
    assert "not a type of file we accept" in refusal_on(page_of(refused, 422), requirement)

    remove = page_of(r).one("ul.file-list").one("button")
    gone = editor.post(remove["hx-post"], data={"standard": "1"}, headers=htmx)
    assert gone.status_code == 200
    assert "The file was removed." in page_of(gone).text
    assert page_of(gone).find("ul.file-list") is None
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0


def test_without_javascript_a_file_is_removed_but_its_version_keeps_it(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    page, button, requirement = open_standard_1(editor, york.id, housing_return)
    assert send_file(editor, page, button, "Policy.pdf", PDF).status_code == 303
    stored = db.exec(select(Attachment).where(Attachment.return_id == housing_return)).one()
    db.add(  # as if it had been submitted with the file, then returned for more information
        ReturnVersion(
            return_id=housing_return, number=1, content_sha256="0" * 64,
            signed_off_name="Ann Approver", signed_off_role="Head of Housing",
            due_on=date(2027, 1, 29),
            snapshot={"attachments": [{"id": stored.id, "requirement_id": requirement,
                                       "filename": stored.filename, "media_type": stored.media_type,
                                       "size": stored.size, "sha256": stored.sha256}]},
        )
    )  # fmt: skip
    db.commit()
    page = page_of(editor.get(f"/p/{york.id}/returns/{housing_return}?standard=1"))
    remove = page.field(f"files-{requirement}").one("ul.file-list").one("button")
    action, data = page.pressing(remove)
    assert action.endswith(f"/files/{stored.id}/remove")
    r = editor.post(action, data=data)
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"?standard=1#answer-{requirement}")
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0
    # A second click finds it gone, and is no error.
    again = editor.post(action, data=data)
    assert again.status_code == 303

    base = f"/p/{york.id}/returns/{housing_return}"
    page_of(editor.get(f"{base}/files/{stored.id}"), 404)
    kept = editor.get(f"{base}/versions/1/files/{stored.id}")
    assert kept.status_code == 200 and kept.content == PDF
    assert kept.headers["x-content-type-options"] == "nosniff"


def test_a_file_upload_without_the_csrf_token_is_refused(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    _, button, _ = open_standard_1(editor, york.id, housing_return)
    r = editor.post(button["formaction"], data={"standard": "1"},
                    files={"file": ("Policy.pdf", PDF, "application/pdf")})  # fmt: skip
    assert "This form has expired" in page_of(r, 403).text
    assert count(db, Attachment, col(Attachment.return_id) == housing_return) == 0


def test_another_agency_s_people_cannot_download_its_files(
    visitor_as: Callable[[str], TestClient], york: Partnership, housing_return: int, db: Session
) -> None:
    editor = visitor_as(EDITOR)
    _, _, requirement = open_standard_1(editor, york.id, housing_return)  # the same framework
    cafcass = return_of(db, "Cafcass")
    digest = hashlib.sha256(PDF).hexdigest()
    if db.get(EvidenceFile, digest) is None:
        db.add(EvidenceFile(sha256=digest, size=len(PDF), content=PDF))
        db.flush()
    theirs = Attachment(return_id=cafcass, requirement_id=requirement, sha256=digest,
                        filename="Theirs.pdf", media_type="application/pdf", size=len(PDF),
                        uploaded_by_label="Cafcass editor")  # fmt: skip
    db.add(theirs)
    db.commit()
    for ret in (cafcass, housing_return):
        page_of(editor.get(f"/p/{york.id}/returns/{ret}/files/{theirs.id}"), 404)
    admin = visitor_as(ADMIN).get(f"/p/{york.id}/returns/{cafcass}/files/{theirs.id}")
    assert admin.status_code == 200 and admin.content == PDF
