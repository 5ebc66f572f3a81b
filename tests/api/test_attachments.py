"""Evidence files: typed by their content, stored once by SHA-256, limited in size, seen
only by those who may see the return, and kept by every version they were submitted in."""

import hashlib
import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from apikit import API, assert_problem, count
from sqlmodel import col, select

from api.attachments import rules
from api.models import (
    Attachment,
    AuditEvent,
    EvidenceFile,
    Framework,
    FrameworkVersion,
    Requirement,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
    Standard,
)
from api.settings import Settings, get_settings

SIGN_OFF = {"name": "Ann Approver", "role": "Head of Housing", "declaration": True}


def url(pid: int, tail: str = "") -> str:
    return f"{API}/partnerships/{pid}{tail}"


# ---------------------------------------------------------------------------------------
# Small real files, made here


def pdf_file() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def png_file() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"
    b"/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def office_file(folder: str, main: str = "document.xml", *extra: str) -> bytes:
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        f"{folder}/{main}": b'<?xml version="1.0"?><document/>',
    }
    parts |= {name: b"\x00" for name in extra}
    return zipped(parts)


def odf_file(kind: str) -> bytes:
    return zipped(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        }
    )


def ole2_file(stream: str) -> bytes:
    """A legacy Office compound file's opening, with the directory naming its stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    name = "Root Entry".encode("utf-16-le").ljust(64, b"\x00")
    return header + name + stream.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 384


TEXT = b"Safeguarding training log, 2026\nAll 14 staff completed level 2.\n"
CSV = b"name,course,completed\nAnn,Level 2,2026-02-01\n"

OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."

ACCEPTED = [
    ("Board minutes.pdf", pdf_file(), "application/pdf"),
    ("Poster.png", png_file(), "image/png"),
    ("Photo.jpg", JPEG, "image/jpeg"),
    ("Photo.JPEG", JPEG, "image/jpeg"),
    ("Chart.gif", GIF, "image/gif"),
    ("Chart.webp", WEBP, "image/webp"),
    ("Policy.docx", office_file("word"), OOXML + "wordprocessingml.document"),
    ("Audit.xlsx", office_file("xl", "workbook.xml"), OOXML + "spreadsheetml.sheet"),
    (
        "Briefing.pptx",
        office_file("ppt", "presentation.xml"),
        OOXML + "presentationml.presentation",
    ),
    ("Policy.odt", odf_file("text"), ODF + "text"),
    ("Audit.ods", odf_file("spreadsheet"), ODF + "spreadsheet"),
    ("Briefing.odp", odf_file("presentation"), ODF + "presentation"),
    ("Old policy.doc", ole2_file("WordDocument"), "application/msword"),
    ("Old audit.xls", ole2_file("Workbook"), "application/vnd.ms-excel"),
    ("Old briefing.ppt", ole2_file("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ("Training log.txt", TEXT, "text/plain"),
    ("Training.csv", CSV, "text/csv"),
]

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program"
HTML = b"<!DOCTYPE html><html><body><script>alert('hello')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

REFUSED = [
    ("report.pdf", EXE),  # a program dressed as a PDF
    ("notes.txt", HTML),  # a web page dressed as text
    ("notes.txt", b"Notes\n\n<p>Read this</p><script>steal()</script>"),
    ("chart.png", SVG),
    ("x.docx", zipped({"readme.txt": b"just a zip"})),
    ("Policy.docx", office_file("word", "document.xml", "word/vbaProject.bin")),  # macros
    ("installer.doc", ole2_file("SummaryInformation")),  # OLE2, but no Office content
    ("report.pdf", png_file()),  # a PNG named as a PDF
    ("figures.xls", CSV),  # a CSV export named as Excel
    ("data.bin", b"\x00\x01\x02\x03 binary"),
    ("latin1.txt", "Caf\xe9 notes".encode("latin-1")),  # text, but not UTF-8
]


def upload(
    client, headers, pid, ret, requirement, name, content, media_type="application/octet-stream"
):  # type: ignore[no-untyped-def]  # noqa: E501
    return client.post(
        url(pid, f"/returns/{ret}/responses/{requirement}/attachments"),
        headers=headers,
        files={"file": (name, content, media_type)},
    )


def files_of(db, ret: int) -> list[Attachment]:  # type: ignore[no-untyped-def]
    return list(db.exec(select(Attachment).where(Attachment.return_id == ret)).all())


# ---------------------------------------------------------------------------------------
# Accepted kinds


@pytest.mark.parametrize(("name", "content", "media_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_kind_is_stored_and_comes_back_unchanged(
    client, db, auth, york, housing, name, content, media_type
):
    editor, first = auth("editor"), housing["requirements"][0]
    r = upload(client, editor, york.id, housing["id"], first, name, content)
    assert r.status_code == 201, r.text
    body = r.json()
    digest = hashlib.sha256(content).hexdigest()
    assert (body["filename"], body["media_type"]) == (name, media_type)
    assert (body["size"], body["sha256"], body["requirement_id"]) == (len(content), digest, first)
    assert body["uploaded_by_label"] == "Ed Editor" and body["carried_forward"] is False
    stored = db.get(EvidenceFile, digest)
    assert stored.content == content and stored.size == len(content)

    got = client.get(url(york.id, f"/returns/{housing['id']}/attachments/{body['id']}"),
                     headers=editor)  # fmt: skip
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"].split(";")[0] == media_type
    assert got.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["etag"] == f'"{digest}"'
    assert got.headers["cache-control"] == "private, no-store"


def test_the_type_comes_from_the_content_never_the_declared_type(client, auth, york, housing):
    r = upload(client, auth("editor"), york.id, housing["id"], housing["requirements"][0],
               "Board minutes", pdf_file(), "text/html")  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == "application/pdf"
    assert r.json()["filename"] == "Board minutes.pdf"  # the ending it lacked


def test_text_is_served_as_utf8_with_a_name_any_browser_can_save(client, auth, york, housing):
    editor = auth("editor")
    r = upload(client, editor, york.id, housing["id"], housing["requirements"][0],
               "Évaluation 2026.txt", "Évaluation: bien\n".encode())  # fmt: skip
    assert r.status_code == 201, r.text
    got = client.get(url(york.id, f"/returns/{housing['id']}/attachments/{r.json()['id']}"),
                     headers=editor)  # fmt: skip
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    disposition = got.headers["content-disposition"]
    assert 'filename="_valuation 2026.txt"' in disposition
    assert "filename*=UTF-8''%C3%89valuation%202026.txt" in disposition


@pytest.mark.parametrize(
    ("sent", "kept", "content"),
    [
        ("C:\\Users\\ann\\Documents\\Board minutes.pdf", "Board minutes.pdf", pdf_file()),
        ("../../etc/passwd.txt", "passwd.txt", TEXT),
        ("Minutes\u202egpj.pdf", "Minutesgpj.pdf", pdf_file()),  # a right-to-left override
        ("run.bat", "run.bat.txt", TEXT),  # an ending we do not accept gets the right one
        ("notes", "notes.txt", TEXT),
        ("...", "evidence.pdf", pdf_file()),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf", pdf_file()),
    ],
)
def test_names_are_cleaned_and_end_as_what_the_file_is(
    client, auth, york, housing, sent, kept, content
):
    r = upload(client, auth("editor"), york.id, housing["id"], housing["requirements"][0],
               sent, content)  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == kept
    assert len(r.json()["filename"]) <= 255


def test_the_first_file_starts_the_return_and_is_audited(client, db, auth, york, housing):
    r = upload(client, auth("editor"), york.id, housing["id"], housing["requirements"][0],
               "Policy.pdf", pdf_file())  # fmt: skip
    assert r.status_code == 201, r.text
    assert db.get(Return, housing["id"]).status == ReturnStatus.in_progress
    [event] = db.exec(select(ReturnEvent).where(ReturnEvent.return_id == housing["id"])).all()
    assert (event.from_status, event.to_status) == (
        ReturnStatus.not_started,
        ReturnStatus.in_progress,
    )
    audit = db.exec(
        select(AuditEvent).where(AuditEvent.action == "attachment.add",
                                 AuditEvent.entity_id == housing["id"])
    ).one()  # fmt: skip
    assert audit.after["filename"] == "Policy.pdf" and audit.actor_label == "Ed Editor"
    assert "content" not in audit.after
    listed = client.get(url(york.id, f"/returns/{housing['id']}"), headers=auth("editor")).json()
    assert [a["filename"] for a in listed["attachments"]] == ["Policy.pdf"]


def test_identical_content_is_stored_once(client, db, auth, york, housing):
    editor = auth("editor")
    first, second = housing["requirements"][:2]
    content = b"Minutes of the safeguarding board, 4 March 2026\n"
    digest = hashlib.sha256(content).hexdigest()
    for requirement, name in ((first, "Minutes.txt"), (second, "Board minutes.txt")):
        assert upload(client, editor, york.id, housing["id"], requirement, name,
                      content).status_code == 201  # fmt: skip
    assert count(db, EvidenceFile, EvidenceFile.sha256 == digest) == 1
    assert [a.sha256 for a in files_of(db, housing["id"])] == [digest, digest]


# ---------------------------------------------------------------------------------------
# Refused files


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[f"{i}-{n}" for i, (n, _) in
                                                            enumerate(REFUSED)])  # fmt: skip
def test_a_file_that_is_not_what_we_accept_is_refused_and_nothing_is_kept(
    client, db, auth, york, housing, name, content
):
    files = count(db, EvidenceFile)
    r = upload(client, auth("editor"), york.id, housing["id"], housing["requirements"][0],
               name, content, "application/pdf")  # fmt: skip
    problem = assert_problem(r, 415)
    assert problem["detail"]
    assert files_of(db, housing["id"]) == []
    assert count(db, EvidenceFile) == files
    assert db.get(Return, housing["id"]).status == ReturnStatus.not_started


def test_refusals_say_what_is_accepted_or_what_to_do(client, auth, york, housing):
    editor, first = auth("editor"), housing["requirements"][0]
    exe = assert_problem(
        upload(client, editor, york.id, housing["id"], first, "report.pdf", EXE), 415
    )
    assert "PDF" in exe["detail"] and "CSV" in exe["detail"]
    html = assert_problem(
        upload(client, editor, york.id, housing["id"], first, "notes.txt", HTML), 415
    )
    assert "scripts" in html["detail"]
    named = assert_problem(
        upload(client, editor, york.id, housing["id"], first, "report.pdf", png_file()), 415
    )
    assert ".pdf" in named["detail"] and "PNG image" in named["detail"]
    assert ".png" in named["detail"]


@pytest.fixture
def one_mb_limit(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1024 * 1024)
    return 1024 * 1024


def test_a_file_over_the_limit_is_refused_naming_the_limit(
    client, db, auth, york, housing, one_mb_limit
):
    editor, first = auth("editor"), housing["requirements"][0]
    files = count(db, EvidenceFile)
    just_over = b"a" * (one_mb_limit + 1)
    problem = assert_problem(upload(client, editor, york.id, housing["id"], first, "big.txt",
                                    just_over), 413)  # fmt: skip
    assert "1 MB limit" in problem["detail"]
    far_over = b"a" * (one_mb_limit + 200_000)  # refused from its Content-Length, unread
    assert_problem(upload(client, editor, york.id, housing["id"], first, "big.txt", far_over), 413)
    assert files_of(db, housing["id"]) == [] and count(db, EvidenceFile) == files
    exactly = upload(client, editor, york.id, housing["id"], first, "big.txt", b"a" * one_mb_limit)
    assert exactly.status_code == 201, exactly.text


def test_a_body_sent_without_a_length_is_counted_as_it_arrives(
    client, db, auth, york, housing, one_mb_limit
):
    boundary = "evidence-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"'
            "\r\nContent-Type: text/plain\r\n\r\n").encode()  # fmt: skip

    def chunks():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(40):  # 40 × 64 KB: 2.5 MB, well over the limit
            yield b"a" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        url(
            york.id, f"/returns/{housing['id']}/responses/{housing['requirements'][0]}/attachments"
        ),
        headers={**auth("editor"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=chunks(),
    )
    assert_problem(r, 413)
    assert files_of(db, housing["id"]) == []


def test_an_empty_file_a_missing_file_and_a_broken_body_are_refused(
    client, db, auth, york, housing
):
    editor, first = auth("editor"), housing["requirements"][0]
    path = url(york.id, f"/returns/{housing['id']}/responses/{first}/attachments")
    empty = assert_problem(upload(client, editor, york.id, housing["id"], first, "empty.pdf", b""),
                           422, field="file")  # fmt: skip
    assert "empty" in empty["errors"][0]["message"]
    assert_problem(client.post(path, headers=editor, data={"note": "no file"},
                               files={"other": ("a.txt", b"x")}), 422, field="file")  # fmt: skip
    assert_problem(client.post(path, headers=editor, json={"file": "x"}), 422, field="file")
    two = client.post(
        path, headers=editor, files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))]
    )
    assert_problem(two, 422, field="file")
    broken = client.post(path, headers={**editor, "Content-Type": "multipart/form-data"},
                         content=b"--nothing\r\n")  # fmt: skip
    assert_problem(broken, 400)
    assert files_of(db, housing["id"]) == []


# ---------------------------------------------------------------------------------------
# Who may attach, see and remove


@pytest.fixture
def cafcass_return(client, auth, york, agency_id) -> int:
    params = {"agency_id": agency_id("Cafcass"), "limit": 100}
    listed = client.get(url(york.id, "/returns"), headers=auth("admin"), params=params)
    return next(r["id"] for r in listed.json()["items"] if r["programme_title"].endswith("2026"))


def test_another_agency_s_return_is_not_found(
    client, db, auth, york, housing, cafcass_return, service_token
):
    editor = auth("editor")
    cafcass_first = housing["requirements"][0]  # the same framework
    r = upload(client, editor, york.id, cafcass_return, cafcass_first, "Policy.pdf", pdf_file())
    assert_problem(r, 404)
    system, _ = service_token()  # a system that answers for every agency
    theirs = upload(
        client, system, york.id, cafcass_return, cafcass_first, "Policy.pdf", pdf_file()
    )
    assert theirs.status_code == 201, theirs.text
    file_url = url(york.id, f"/returns/{cafcass_return}/attachments/{theirs.json()['id']}")
    assert_problem(client.get(file_url, headers=editor), 404)
    assert_problem(client.delete(file_url, headers=editor), 404)
    assert_problem(client.get(file_url, headers=auth("north_admin")), 404)
    assert client.get(file_url, headers=auth("admin")).content == pdf_file()
    # and a file of another return is not found through this one
    assert_problem(
        client.get(url(york.id, f"/returns/{housing['id']}/attachments/{theirs.json()['id']}"),
                   headers=editor), 404)  # fmt: skip


def test_the_partnership_may_download_but_not_attach_or_remove(client, auth, york, housing):
    first = housing["requirements"][0]
    added = upload(
        client, auth("approver"), york.id, housing["id"], first, "Policy.pdf", pdf_file()
    )
    assert added.status_code == 201, added.text
    file_url = url(york.id, f"/returns/{housing['id']}/attachments/{added.json()['id']}")
    for who in ("admin", "scrutineer"):
        assert_problem(upload(client, auth(who), york.id, housing["id"], first, "Mine.pdf",
                              pdf_file()), 403)  # fmt: skip
        assert_problem(client.delete(file_url, headers=auth(who)), 403)
        assert client.get(file_url, headers=auth(who)).status_code == 200
    assert_problem(client.get(file_url), 401)


def test_a_requirement_of_another_framework_is_not_found(client, db, auth, york, housing):
    six_steps = db.exec(
        select(Requirement.id)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .join(FrameworkVersion, col(FrameworkVersion.id) == Standard.framework_version_id)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
        .where(Framework.key == "six-steps")
    ).first()
    r = upload(client, auth("editor"), york.id, housing["id"], six_steps, "Policy.pdf", pdf_file())
    assert_problem(r, 404)


# ---------------------------------------------------------------------------------------
# Submission and versions


def answer_all(client, headers, pid, housing, **by_requirement):  # type: ignore[no-untyped-def]
    """Rate every requirement met with evidence text; `by_requirement` overrides one's body."""
    for rid in housing["requirements"]:
        body = by_requirement.get(str(rid), {"rating": "met", "evidence": "Board minutes"})
        r = client.put(url(pid, f"/returns/{housing['id']}/responses/{rid}"),
                       headers={**headers, "If-Match": '"0"'}, json=body)  # fmt: skip
        assert r.status_code == 200, r.text


def submit(client, headers, pid, ret):  # type: ignore[no-untyped-def]
    return client.post(url(pid, f"/returns/{ret}/submit"), headers=headers, json=SIGN_OFF)


def test_a_file_alone_is_evidence_enough_to_submit(client, db, auth, york, housing):
    editor, first = auth("editor"), housing["requirements"][0]
    answer_all(client, editor, york.id, housing, **{str(first): {"rating": "met", "evidence": ""}})
    problem = assert_problem(submit(client, auth("approver"), york.id, housing["id"]), 422)
    assert [e["field"] for e in problem["errors"]] == [f"responses.{first}.evidence"]
    added = upload(client, editor, york.id, housing["id"], first, "Policy.pdf", pdf_file())
    r = submit(client, auth("approver"), york.id, housing["id"])
    assert r.status_code == 200, r.text
    version = db.exec(select(ReturnVersion).where(ReturnVersion.return_id == housing["id"])).one()
    assert [a["id"] for a in version.snapshot["attachments"]] == [added.json()["id"]]


def test_files_cannot_change_once_submitted_or_closed(
    client, db, auth, york, housing, open_programme
):
    editor, first = auth("editor"), housing["requirements"][0]
    added = upload(client, editor, york.id, housing["id"], first, "Policy.pdf", pdf_file()).json()
    answer_all(client, editor, york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    assert_problem(upload(client, editor, york.id, housing["id"], first, "More.pdf",
                          pdf_file()), 409)  # fmt: skip
    file_url = url(york.id, f"/returns/{housing['id']}/attachments/{added['id']}")
    assert_problem(client.delete(file_url, headers=editor), 409)
    assert len(files_of(db, housing["id"])) == 1

    returned = db.get(Return, housing["id"])
    returned.status = ReturnStatus.returned  # the partnership asks for more information
    db.add(returned)
    db.commit()
    client.post(url(york.id, f"/programmes/{open_programme}/close"), headers=auth("admin"))
    closed = assert_problem(upload(client, editor, york.id, housing["id"], first, "More.pdf",
                                   pdf_file()), 409)  # fmt: skip
    assert "closed" in closed["detail"]
    assert_problem(client.delete(file_url, headers=editor), 409)


@pytest.fixture
def open_programme(client, auth, york) -> int:
    programmes = client.get(url(york.id, "/programmes"), headers=auth("admin"),
                            params={"status": "open"}).json()["items"]  # fmt: skip
    return next(p["id"] for p in programmes if p["title"].endswith("2026"))


def test_a_removed_file_stays_in_the_version_it_was_submitted_in(client, db, auth, york, housing):
    editor, first = auth("editor"), housing["requirements"][0]
    added = upload(client, editor, york.id, housing["id"], first, "Policy.pdf", pdf_file()).json()
    answer_all(client, editor, york.id, housing)
    assert submit(client, auth("approver"), york.id, housing["id"]).status_code == 200
    returned = db.get(Return, housing["id"])
    returned.status = ReturnStatus.returned  # the partnership asks for more information
    db.add(returned)
    db.commit()

    file_url = url(york.id, f"/returns/{housing['id']}/attachments/{added['id']}")
    r = client.delete(file_url, headers=editor)
    assert r.status_code == 204, r.text
    assert files_of(db, housing["id"]) == []
    assert_problem(client.get(file_url, headers=editor), 404)
    assert_problem(client.delete(file_url, headers=editor), 404)
    assert db.get(EvidenceFile, added["sha256"]) is not None
    removal = db.exec(select(AuditEvent).where(AuditEvent.action == "attachment.remove")).one()
    assert removal.before["id"] == added["id"] and removal.after is None

    versions = url(york.id, f"/returns/{housing['id']}/versions")
    for who in ("editor", "admin", "scrutineer"):
        frozen = client.get(f"{versions}/1/attachments/{added['id']}", headers=auth(who))
        assert frozen.status_code == 200, frozen.text
        assert frozen.content == pdf_file()
        assert frozen.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''Policy.pdf" in frozen.headers["content-disposition"]
        assert frozen.headers["etag"] == f'"{added["sha256"]}"'
    assert_problem(client.get(f"{versions}/2/attachments/{added['id']}", headers=editor), 404)
    assert_problem(
        client.get(f"{versions}/1/attachments/{added['id'] + 1000}", headers=editor), 404
    )
    assert_problem(client.get(f"{versions}/1/attachments/{added['id']}",
                              headers=auth("north_admin")), 404)  # fmt: skip


# ---------------------------------------------------------------------------------------
# The rules alone


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1024, "1 KB"), (14_500, "14 KB"),
     (2_200_000, "2.1 MB"), (10 * 1024 * 1024, "10 MB"), (3 * 1024**3, "3 GB")],
)  # fmt: skip
def test_sizes_read_as_a_person_would_say_them(size, shown):
    assert rules.human_size(size) == shown


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("  Bell\x07 and\ttabs\u2028here .txt. ", "Bell and tabs here .txt"),
     ("zero\u200bwidth.pdf", "zerowidth.pdf"), ("", "evidence"), (None, "evidence"),
     ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt")],
)  # fmt: skip
def test_names_lose_control_and_invisible_characters(sent, kept):
    assert rules.clean_name(sent) == kept


def test_the_limit_is_a_setting_of_ten_megabytes_by_default():
    assert Settings.model_fields["attachment_max_bytes"].default == 10 * 1024 * 1024
    assert "10 MB" in rules.upload_hint(10 * 1024 * 1024)
