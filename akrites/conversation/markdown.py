"""Message text as safe HTML: CommonMark without raw HTML, then an allow-list cleaner.

markdown-it-py never passes HTML through (``html`` off) and refuses ``javascript:`` and
similar links itself; nh3 then keeps only the tags and attributes below, whatever the parser
produced, and marks every link ``noopener noreferrer nofollow``. Images are not rendered (a
remote image in an embargoed message would tell its host who read it, and when).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_PARSER.disable("image")

TAGS = frozenset(
    {
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = frozenset({"http", "https", "mailto"})


def render(text: str) -> str:
    """The HTML of ``text`` (Markdown), safe to insert into a page."""
    return nh3.clean(
        _PARSER.render(text),
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
