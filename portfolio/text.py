"""Text: lengths as a person counts them, labels within sentences, and render_markdown(),
the one place HTML is made from text a person wrote."""

import unicodedata
from functools import cache

import nh3

from portfolio.errors import DomainError

# What Markdown produces and a reader needs; nothing that runs, styles or embeds.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# The longest text any form takes (call notes, a discussion's questions and answers).
MARKDOWN_LIMIT = 50_000


@cache
def markdown_parser():
    """CommonMark, whose parsers stay linear in the text's length (Python-Markdown took the
    square of a run of "[" and recursed once for each level of a nested list), with GitHub's
    tables. Made when first needed: markdown-it-py is slow to import, and commands need none.

    HTML typed in the text is shown as typed, not taken as markup. Past 20 levels of nesting
    (a list or quote ten deep) the rest of the block is left out, as CommonMark's own preset
    does. Images are never shown (no <img> is allowed), so "![alt](address)" is left a link to
    the image rather than parsed as one: it showed nothing, and a run of "![" cost twice a run
    of "[".
    """
    from markdown_it import MarkdownIt

    return (
        MarkdownIt("commonmark", {"html": False, "maxNesting": 20}).enable("table").disable("image")
    )


def in_sentence(label: str) -> str:
    """A label as it reads within a sentence: "Incident log" as "incident log", while a first
    word in capitals stays as it is ("STAR reflective account")."""
    first = label.split(" ", 1)[0]
    return label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]


def length(text: str) -> int:
    """Characters as the person typed them: a browser sends each line break as two."""
    return len(text) - text.count("\r\n")


def length_problem(text: str, limit: int, what: str) -> str | None:
    """What is wrong with ``text`` over ``limit`` characters, naming it and the limit."""
    if length(text) > limit:
        return f"{what} can be at most {limit:,} characters; this has {length(text):,}."
    return None


def check_length(text: str, limit: int, what: str, field: str | None = None) -> None:
    """Refuse text over ``limit`` characters, saying what it is and what the limit is."""
    problem = length_problem(text, limit, what)
    if problem:
        raise DomainError(problem, field=field)


def line_problem(text: str, what: str) -> str | None:
    """What is wrong with a name or a title that is not one line of text: a line break, a
    tab or another control character (an email's header, a file name, a PDF's heading
    would carry it)."""
    if any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text):
        return f"{what} must be one line of text: it holds a line break or a control character."
    return None


def check_line(text: str, limit: int, what: str, field: str | None = None) -> None:
    """Refuse a name or a title over ``limit`` characters or on more than one line."""
    check_length(text, limit, what, field)
    if problem := line_problem(text, what):
        raise DomainError(problem, field=field)


def render_markdown(source: str) -> str:
    """Markdown to HTML that keeps only the allowed tags, attributes and link schemes."""
    check_length(source or "", MARKDOWN_LIMIT, "A text")
    return nh3.clean(
        markdown_parser().render(source or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
