"""A small, dependency-free HTML reader for the web tests: parse a page into a tree and
ask it the questions a person (or a screen reader) would: what is the heading, which
fields have labels, what does the error summary say.

Only the standard library's html.parser is used, so the tests need nothing the product
does not already install.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, selector: str = "*", **attrs: str | bool) -> list[Node]:
        """Elements matching a tiny selector: `tag`, `tag.class`, `tag#id`, `.class`, `#id`.

        Keyword arguments match attributes (`type="hidden"`); `True` means present, and a
        trailing underscore is dropped so that `class_` and `for_` can be written.
        """
        match = re.fullmatch(r"([\w*-]*)(?:#([\w-]+))?(?:\.([\w-]+))?", selector)
        assert match, selector
        tag, id_, cls = match.groups()
        out = []
        for node in self.iter():
            if tag and tag != "*" and node.tag != tag:
                continue
            if id_ and node.attrs.get("id") != id_:
                continue
            if cls and cls not in node.classes:
                continue
            if all(_attr_matches(node, k.rstrip("_"), v) for k, v in attrs.items()):
                out.append(node)
        return out

    def find(self, selector: str = "*", **attrs: str | bool) -> Node | None:
        found = self.find_all(selector, **attrs)
        return found[0] if found else None

    def one(self, selector: str = "*", **attrs: str | bool) -> Node:
        found = self.find_all(selector, **attrs)
        assert len(found) == 1, f"expected one {selector} {attrs}, found {len(found)}"
        return found[0]

    @property
    def text(self) -> str:
        """The text content, with runs of white space collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in ("script", "style"):
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def by_id(self, id_: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == id_), None)

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def _attr_matches(node: Node, name: str, wanted: str | bool) -> bool:
    if wanted is True:
        return name in node.attrs
    if wanted is False:
        return name not in node.attrs
    return node.attrs.get(name) == wanted


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"</{tag}> closes nothing that is open")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class Page:
    """A parsed response body, with the questions the tests ask of every page."""

    root: Node
    doctype: str | None
    source: str

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.root, name)

    @property
    def title(self) -> str:
        return self.root.one("title").text

    @property
    def h1(self) -> str:
        return self.root.one("h1").text

    def csrf_token(self) -> str:
        """The CSRF token of the page's first form (every form carries the same one)."""
        field_ = self.root.find("input", name="csrf_token", type="hidden")
        assert field_ is not None, "the page has no csrf_token field"
        return field_["value"]

    def error_summary(self) -> Node | None:
        return self.root.find("div.error-summary")

    def summary_links(self) -> dict[str, str]:
        """The error summary's messages, keyed by the fragment each links to."""
        summary = self.error_summary()
        assert summary is not None, "no error summary"
        return {a["href"]: a.text for a in summary.find_all("a")}

    def field_error(self, name: str) -> str | None:
        node = self.root.by_id(f"error-{name}")
        return node.text.removeprefix("Error:").strip() if node else None

    def field(self, id_: str) -> Node:
        node = self.root.by_id(id_)
        assert node is not None, f"no element #{id_}"
        return node

    def unlabelled_fields(self) -> list[str]:
        """Form controls a person could not identify: no <label for>, no aria-label."""
        labels = {label.get("for") for label in self.root.find_all("label")}
        missing = []
        for node in self.root.iter():
            if node.tag not in ("input", "select", "textarea"):
                continue
            if node.tag == "input" and node.get("type") in ("hidden", "submit", "button"):
                continue
            if node.get("aria-label") or node.get("aria-labelledby"):
                continue
            if node.get("id") and node.get("id") in labels:
                continue
            if any(a.tag == "label" for a in node.ancestors()):
                continue
            missing.append(node.get("name") or node.get("id") or node.tag)
        return missing

    def broken_references(self) -> list[str]:
        """aria-describedby, label[for] and in-page links that point at no element."""
        ids = {n.get("id") for n in self.root.iter() if n.get("id")}
        broken = []
        for node in self.root.iter():
            for ref in (node.get("aria-describedby") or "").split():
                if ref not in ids:
                    broken.append(f"aria-describedby={ref}")
            if node.tag == "label" and node.get("for") and node.get("for") not in ids:
                broken.append(f"label for={node.get('for')}")
            href = node.get("href") or ""
            if node.tag == "a" and href.startswith("#") and href[1:] not in ids:
                broken.append(f"href={href}")
        return broken

    def pressing(self, button: Node) -> tuple[str, dict[str, str]]:
        """What a browser without JavaScript sends when `button` is pressed: the address
        (its formaction, else its form's action) and every named control of its form, the
        ones inside the form and those tied to it by form=, with the values on the page."""
        owner_id = button.get("form")
        form = (
            self.root.by_id(owner_id)
            if owner_id
            else next(a for a in button.ancestors() if a.tag == "form")
        )
        assert form is not None and form.tag == "form", "the button belongs to no form"
        data: dict[str, str] = {}
        for node in self.root.iter():
            name, kind = node.get("name"), node.get("type", "text")
            if node.tag not in ("input", "textarea", "select") or not name:
                continue
            tied = node.get("form")
            if tied != form.get("id") if tied else not any(a is form for a in node.ancestors()):
                continue
            if kind in ("file", "submit", "button"):
                continue  # a file is sent as a file by the test itself
            if kind in ("radio", "checkbox") and "checked" not in node.attrs:
                continue
            if node.tag == "textarea":
                data[name] = "".join(c for c in node.children if isinstance(c, str))
            elif node.tag == "select":
                chosen = node.find("option", selected=True) or node.find("option")
                data[name] = chosen.get("value", "") if chosen else ""
            else:
                data[name] = node.get("value", "") or ""
        if button.get("name"):
            data[button["name"]] = button.get("value", "") or ""
        return button.get("formaction") or form["action"], data


def parse(html: str) -> Page:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    unclosed = [n.tag for n in builder.stack[1:]]
    assert not unclosed, f"elements left open: {unclosed}"
    return Page(root=builder.root, doctype=builder.doctype, source=html)
