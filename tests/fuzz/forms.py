"""What a route's forms send: the fields of the forms on its pages, and of its WTForms classes."""

import inspect
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask_wtf.file import FileField
from wtforms import FieldList, FormField, StringField
from wtforms import Form as BaseForm
from wtforms.fields.core import UnboundField

BUTTONS = {"submit", "button", "reset", "image"}
TEXT_INPUTS = {"text", "email", "search", "tel", "url", "password"}


@dataclass
class PageForm:
    """One ``<form>`` of a page: where it posts, and the fields a browser would send."""

    method: str
    action: str
    page: str  # the address of the page that shows it
    pairs: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends as shown
    names: set[str] = field(default_factory=set)  # every field name, sent or not
    files: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)  # fields that take free text
    hidden: set[str] = field(default_factory=set)  # fields that carry what the page showed


class FormsParser(HTMLParser):
    """The forms of one page, as a browser would send them once a person has made the
    choices the page leaves open (the first option of a list or a set of radio buttons)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._radios: dict[str, str] = {}  # each set of radio buttons: its first value
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            method = a.get("method", "get").lower()
            self._form = PageForm(method, urlsplit(action).path, self.page_url)
            self.forms.append(self._form)
            self._radios = {}
            return
        form, name = self._form, a.get("name")
        if form is None:
            return
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            form.names.add(name)
            if kind in TEXT_INPUTS:
                form.texts.add(name)
            if kind == "hidden" and name != "csrf_token":
                form.hidden.add(name)
            if kind == "file":
                form.files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.pairs.append((name, a.get("value", "on")))
                if kind == "radio":
                    self._radios.setdefault(name, a.get("value", "on"))
            elif kind not in BUTTONS:  # a button is sent only when it is the one pressed
                form.pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._selected, self._first_option = name, None, None
        elif tag == "option" and self._select:
            if "selected" in a:
                self._selected = a.get("value", "")
            elif self._first_option is None and a.get("value"):
                self._first_option = a["value"]
        elif tag == "textarea" and name:
            form.names.add(name)
            form.texts.add(name)
            self._textarea, self._text = name, []
        elif tag == "button" and name:
            form.names.add(name)

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self._form:
            chosen = {name for name, _value in self._form.pairs}
            self._form.pairs += [(n, v) for n, v in self._radios.items() if n not in chosen]
            self._form = None
        elif tag == "select" and self._select and self._form:
            value = self._selected if self._selected is not None else self._first_option
            self._form.pairs.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form:
            text = "".join(self._text)
            self._form.pairs.append((self._textarea, text[1:] if text[:1] == "\n" else text))
            self._textarea = None


def page_forms(page_url: str, html: str) -> list[PageForm]:
    parser = FormsParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def _fields_of(form_class, prefix: str = "") -> tuple[set[str], set[str], set[str]]:
    """The field names of a WTForms class (a list's first row included), its file fields and
    its free-text fields."""
    names, files, texts = set(), set(), set()
    for attribute in dir(form_class):
        unbound = getattr(form_class, attribute, None)
        if not isinstance(unbound, UnboundField):
            continue
        name = prefix + attribute
        if unbound.field_class is FieldList:
            inner = unbound.args[0]
            if inner.field_class is FormField:
                for found, more in zip(
                    (names, files, texts), _fields_of(inner.args[0], f"{name}-0-"), strict=True
                ):
                    found |= more
            else:
                names.add(f"{name}-0")
        elif unbound.field_class is FormField:
            for found, more in zip(
                (names, files, texts), _fields_of(unbound.args[0], f"{name}-"), strict=True
            ):
                found |= more
        else:
            names.add(name)
            if issubclass(unbound.field_class, FileField):
                files.add(name)
            elif issubclass(unbound.field_class, StringField):
                texts.add(name)
    return names, files, texts


def _is_form_class(value) -> bool:
    return inspect.isclass(value) and issubclass(value, BaseForm)


def view_form_fields(view) -> tuple[set[str], set[str], set[str]]:
    """The fields of every form class a view names in its source, directly or in a mapping:
    all, those that take files and those that take free text."""
    view = inspect.unwrap(view)
    source = inspect.getsource(view)
    names, files, texts = set(), set(), set()
    for word in set(re.findall(r"\b[A-Za-z_]\w*\b", source)):
        value = view.__globals__.get(word)
        found = [value] if _is_form_class(value) else []
        if isinstance(value, dict):
            found = [v for v in value.values() if _is_form_class(v)]
        for form_class in found:
            for fields, more in zip((names, files, texts), _fields_of(form_class), strict=True):
                fields |= more
    return names, files, texts
