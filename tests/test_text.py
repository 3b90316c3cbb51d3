"""User text becomes HTML in one place, through an allow-list sanitiser."""

import sys
from html.parser import HTMLParser

import pytest

from portfolio.errors import DomainError
from portfolio.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MARKDOWN_LIMIT,
    check_length,
    render_markdown,
)


class Markup(HTMLParser):
    """The elements of some HTML, each as its tag, its attributes and the text of its tag."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self.get_starttag_text()))

    handle_startendtag = handle_starttag


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<svg onload="alert(1)"><circle/></svg>', "<svg"),
        ("<math><mi>x</mi></math>", "<math"),
        ("<style>body{display:none}</style>", "<style"),
        ('<iframe src="https://example.org"></iframe>', "<iframe"),
        ('<a href="https://x.org" style="color:red">x</a>', "style="),
    ],
)
def test_dangerous_markup_is_removed(source, forbidden):
    html = render_markdown(source)
    elements = Markup(html).elements
    for tag, attributes, text in elements:
        assert tag in ALLOWED_TAGS, html
        assert set(attributes) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, html
        assert forbidden not in text.lower(), html


def test_html_typed_in_the_text_is_shown_as_typed():
    html = render_markdown("Replace <name> with a placeholder & keep <b>this</b> as typed.")
    assert "Replace &lt;name&gt; with a placeholder &amp; keep &lt;b&gt;this&lt;/b&gt;" in html
    assert [tag for tag, _, _ in Markup(html).elements] == ["p"]


def test_ordinary_markdown_survives():
    html = render_markdown("**Bold** and a [link](https://example.org)\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html


def test_lists_tables_and_code_render_as_a_reader_expects():
    html = render_markdown(
        "### Steps\nWhat I did:\n- answered\n  - read back the details\n- escalated\n\n"
        "1. first\n2. second\n- not part of the numbered list\n\n"
        "| Time | Action |\n|---|---|\n| 14:05 | Logged |\n\n"
        "`P1` and\n\n```\nfenced code\n```"
    )
    assert "<h3>Steps</h3>" in html
    # A list may follow its paragraph directly and nest by two spaces.
    assert "<p>What I did:</p>\n<ul>\n<li>answered\n<ul>\n<li>read back the details</li>" in html
    # A change of marker starts a new list, as the sane_lists extension did.
    assert "<li>second</li>\n</ol>\n<ul>\n<li>not part of the numbered list</li>" in html
    assert "<th>Time</th>" in html and "<td>14:05</td>" in html
    assert "<code>P1</code>" in html and "<pre><code>fenced code\n</code></pre>" in html


def test_an_image_is_shown_as_a_link_to_it():
    html = render_markdown("See ![the dispatch screen](https://example.org/screen.png).")
    assert html == (
        '<p>See !<a href="https://example.org/screen.png" rel="noopener noreferrer nofollow">'
        "the dispatch screen</a>.</p>\n"
    )


def test_the_longest_text_of_brackets_or_nested_lists_renders():
    assert render_markdown("[" * MARKDOWN_LIMIT) == "<p>" + "[" * MARKDOWN_LIMIT + "</p>\n"
    assert render_markdown("- " * 2000) == "<hr>\n"  # dashes and spaces alone are a rule
    assert render_markdown("- " * 2000 + "deep").startswith("<ul>\n<li>\n<ul>")
    assert render_markdown("1. " * 2000 + "deep").startswith("<ol>\n<li>\n<ol>")
    assert render_markdown("> " * 2000 + "deep").startswith("<blockquote>\n<blockquote>")


def test_text_longer_than_the_longest_field_is_refused():
    render_markdown("a" * MARKDOWN_LIMIT)
    with pytest.raises(DomainError, match=f"at most {MARKDOWN_LIMIT:,} characters"):
        render_markdown("a" * (MARKDOWN_LIMIT + 1))


def test_a_line_break_typed_in_a_browser_counts_as_one_character():
    check_length("ab\r\ncd", 5, "Feedback")
    with pytest.raises(DomainError) as refused:
        check_length("ab\r\ncde", 5, "Feedback", field="feedback")
    assert refused.value.message == "Feedback can be at most 5 characters; this has 6."
    assert refused.value.field == "feedback"


def lines_run(source: str) -> int:
    """How many lines of Python rendering ``source`` runs: a measure of work, not of time."""
    count = 0

    def line(frame, event, arg):
        nonlocal count
        count += event == "line"
        return line

    sys.settrace(lambda frame, event, arg: line)
    try:
        render_markdown(source)
    finally:
        sys.settrace(None)
    return count


# The inputs that take longest per character at the largest length (bench/markdown_worst.py).
WORST = ["[", "![", "[a][", "[a\n", "(_[\n", "\\\n", "<a\n", "a*", "|1|1|\n", "- "]


@pytest.mark.parametrize("pattern", WORST)
def test_rendering_the_worst_inputs_at_the_largest_length_stays_linear(pattern):
    """Four times the text is about four times the work (sixteen if it grew as its square):
    counted in lines run, which no other load on the machine can change."""
    n = MARKDOWN_LIMIT // 100

    def work(length):
        return lines_run((pattern * length)[:length])

    assert work(4 * n) / work(n) < 8
