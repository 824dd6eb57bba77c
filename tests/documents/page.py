"""Reading a rendered page back: its elements, its visible text and the text of each class."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser

_VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source"}


class Page(HTMLParser):
    """What a reader would see: text outside <style>, grouped by the classes around it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._stack: list[tuple[str, list[str]]] = []
        self._text: list[str] = []
        self._by_class: dict[str, list[str]] = defaultdict(list)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.append((tag, dict(attrs)))
        if tag not in _VOID:
            self._stack.append((tag, (dict(attrs).get("class") or "").split()))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1][0] == "style":
            self.style += data
            return
        self._text.append(data)
        for _, classes in self._stack:
            for name in classes:
                self._by_class[name].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    def of(self, class_name: str) -> str:
        """The whitespace-normalised text inside every element with this class."""
        return " ".join(" ".join(self._by_class[class_name]).split())
