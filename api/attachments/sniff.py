"""What an evidence file is, decided from its bytes alone.

Never from its name or from the type its sender declared: both are whatever the sender
says. Only kinds that a browser or an office program opens without running anything are
accepted; web pages, SVG and other markup (which can carry scripts), documents with macros,
programs and archives are refused, whatever they are called.
"""

import io
import zipfile
from dataclasses import dataclass

from api.problems import UnsupportedMediaType


@dataclass(frozen=True)
class Kind:
    media_type: str
    label: str  # what a person calls it: "PDF document"
    extensions: tuple[str, ...]  # the usual one first


PDF = Kind("application/pdf", "PDF document", ("pdf",))
PNG = Kind("image/png", "PNG image", ("png",))
JPEG = Kind("image/jpeg", "JPEG image", ("jpg", "jpeg"))
GIF = Kind("image/gif", "GIF image", ("gif",))
WEBP = Kind("image/webp", "WebP image", ("webp",))
_OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = Kind(_OOXML + "wordprocessingml.document", "Word document", ("docx",))
XLSX = Kind(_OOXML + "spreadsheetml.sheet", "Excel spreadsheet", ("xlsx",))
PPTX = Kind(_OOXML + "presentationml.presentation", "PowerPoint presentation", ("pptx",))
_ODF = "application/vnd.oasis.opendocument."
ODT = Kind(_ODF + "text", "OpenDocument text document", ("odt",))
ODS = Kind(_ODF + "spreadsheet", "OpenDocument spreadsheet", ("ods",))
ODP = Kind(_ODF + "presentation", "OpenDocument presentation", ("odp",))
DOC = Kind("application/msword", "Word 97-2003 document", ("doc",))
XLS = Kind("application/vnd.ms-excel", "Excel 97-2003 spreadsheet", ("xls",))
PPT = Kind("application/vnd.ms-powerpoint", "PowerPoint 97-2003 presentation", ("ppt",))
TEXT = Kind("text/plain", "text file", ("txt",))
CSV = Kind("text/csv", "CSV file", ("csv",))

KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, TEXT, CSV)

ACCEPTED = (
    "a PDF; a Word, Excel or PowerPoint file; an OpenDocument text, spreadsheet or "
    "presentation; a PNG, JPEG, GIF or WebP image; or a plain text or CSV file"
)

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream each legacy Office program keeps its content in, as the storage names it.
_OLE2_STREAMS = (
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("Book".encode("utf-16-le"), XLS),  # Excel 5 and 95
    ("PowerPoint Document".encode("utf-16-le"), PPT),
)
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_ODF_TYPES = {ODT.media_type: ODT, ODS.media_type: ODS, ODP.media_type: ODP}
# Tags that make text a web page or an image a browser would run scripts in.
_MARKUP = ("<script", "<html", "<svg", "<iframe", "<!doctype", "<?xml", "<body", "<object",
           "<embed", "<head", "<meta", "<form", "<img", "<style")  # fmt: skip

_NOT_ACCEPTED = f"This is not a type of file we accept. Attach {ACCEPTED}."
_MARKUP_REFUSED = (
    "Web pages, SVG images and other markup are not accepted, because they can run "
    "scripts when opened. Save it as a PDF and attach that instead."
)
_MACROS_REFUSED = (
    "Documents with macros are not accepted, because macros can run programs when the "
    "document is opened. Save a copy without macros (for example as .docx or .xlsx) and "
    "attach that instead."
)


def sniff(content: bytes) -> tuple[Kind, ...]:
    """The kinds `content` may be, most likely first; refused (415) if it is none we accept.

    Usually one kind. Text is plain text or CSV and a legacy Office file may hold more than
    one program's streams: the file's name then chooses among them, never beyond them.
    """
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            return (kind,)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return (WEBP,)
    if content.startswith(_ZIP):
        return (_zipped(content),)
    if content.startswith(_OLE2):
        found = tuple(dict.fromkeys(k for name, k in _OLE2_STREAMS if name in content))
        if found:
            return found
        raise UnsupportedMediaType(_NOT_ACCEPTED)
    if _is_plain_text(content):
        return (TEXT, CSV)
    raise UnsupportedMediaType(_NOT_ACCEPTED)


def _zipped(content: bytes) -> Kind:
    """An Office Open XML or OpenDocument file; any other zip (or one with macros) is refused.

    Only the archive's directory is read, and the few bytes of its `mimetype` entry, so a
    zip that would expand to gigabytes costs nothing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise UnsupportedMediaType(_MACROS_REFUSED)
                for prefix, kind in _OOXML_PARTS:
                    if any(n.startswith(prefix) for n in names):
                        return kind
            elif "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                odf = _ODF_TYPES.get(declared)
                if odf is not None:
                    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                        raise UnsupportedMediaType(_MACROS_REFUSED)
                    return odf
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        pass  # damaged, encrypted or oddly compressed: not a document we can vouch for
    raise UnsupportedMediaType(_NOT_ACCEPTED)


def _is_plain_text(content: bytes) -> bool:
    """UTF-8 with no NUL bytes, and not markup a browser would render and run."""
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    lowered = text.lstrip().lower()
    if lowered.startswith("<") or any(tag in lowered for tag in _MARKUP):
        raise UnsupportedMediaType(_MARKUP_REFUSED)
    return True


def kind_of(media_type: str) -> Kind | None:
    return next((k for k in KINDS if k.media_type == media_type), None)
