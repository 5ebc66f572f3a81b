"""The rules for an evidence file's size and name, without a database.

A file's name is kept for people to recognise it, cleaned of paths and invisible
characters. Its ending must agree with what the content is:

- a name that ends as one of the kinds the content may be is kept as it is;
- a name that ends as another kind we accept (a PNG called `report.pdf`, a CSV called
  `figures.xls`) is refused, since it is most often the wrong file or a broken export,
  and evidence should be what it says it is;
- a name with no ending, or one we do not accept (`notes`, `run.bat`), gets the ending of
  what the content is (`notes.txt`, `run.bat.txt`), so that whoever downloads the file
  opens it with the right program and never runs it.
"""

import unicodedata

from api.attachments.sniff import KINDS, Kind
from api.problems import PayloadTooLarge, UnsupportedMediaType

MAX_NAME = 255
DEFAULT_STEM = "evidence"
_EXTENSIONS = {ext: kind for kind in KINDS for ext in kind.extensions}
# Characters no file name should hold: controls, and the invisible ones that can make
# "report‮fdp.exe" read as "reportexe.pdf" (bidirectional overrides, zero-width joiners).
_DROPPED = {"Cc", "Cf", "Cs", "Co"}


def human_size(size: int) -> str:
    """Bytes as a person reads them: "820 bytes", "14 KB", "2.1 MB"."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{shown.removesuffix('.0')} {unit}"


def a(label: str) -> str:
    """The label with its article: "a PDF document", "an Excel spreadsheet"."""
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is larger than the {human_size(max_bytes)} limit. Make it smaller (for "
        "example, save a PDF at a lower image quality) or split it into parts, then try again."
    )


def upload_hint(max_bytes: int) -> str:
    """What a person may attach, said before they choose a file."""
    return (
        "A PDF, Word, Excel, PowerPoint or OpenDocument file, a PNG, JPEG, GIF or WebP image, "
        f"or a plain text or CSV file, up to {human_size(max_bytes)}."
    )


ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in _EXTENSIONS)  # for <input type=file accept>


def clean_name(raw: str | None) -> str:
    """The last part of a path, without invisible characters, trimmed; never empty."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if c.isspace() else c
        for c in name
        if c.isspace() or unicodedata.category(c) not in _DROPPED
    )
    name = " ".join(name.split()).strip(" .")
    return name or DEFAULT_STEM


def _ending(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def name_for(raw: str | None, kinds: tuple[Kind, ...]) -> tuple[str, Kind]:
    """The name to keep and the kind it is, from the sent name and what the content may be."""
    name = clean_name(raw)
    ending = _ending(name)
    for kind in kinds:
        if ending in kind.extensions:
            return _shorten(name, ending), kind
    claimed = _EXTENSIONS.get(ending)
    kind = kinds[0]
    if claimed is not None:
        raise UnsupportedMediaType(
            f"The file's name ends in .{ending}, which is {a(claimed.label)}, but its content "
            f"is {a(kind.label)}. Check you chose the right file; if you did, rename it to "
            f"end in .{kind.extensions[0]} and attach it again."
        )
    return _shorten(f"{name}.{kind.extensions[0]}", kind.extensions[0]), kind


def _shorten(name: str, ending: str) -> str:
    """At most MAX_NAME characters, keeping the ending."""
    if len(name) <= MAX_NAME:
        return name
    stem = name[: -(len(ending) + 1)]
    return f"{stem[: MAX_NAME - len(ending) - 1].rstrip(' .')}.{ending}"
