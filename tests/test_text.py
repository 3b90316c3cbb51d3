"""User text becomes HTML in one place, through an allow-list sanitiser."""

import pytest

from portfolio.text import render_markdown


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
    assert forbidden not in render_markdown(source).lower()


def test_ordinary_markdown_survives():
    html = render_markdown("**Bold** and a [link](https://example.org)\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html
