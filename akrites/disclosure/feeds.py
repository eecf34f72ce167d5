"""The Atom feed of published advisories (``/advisories/feed.atom``)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from akrites.disclosure import selectors
from akrites.disclosure.models import PublicAdvisory


class AdvisoryFeed(Feed):  # type: ignore[type-arg]  # django-stubs: Feed is generic
    feed_type = Atom1Feed
    title = "Akrites advisories"
    subtitle = "Vulnerabilities in open-source software, published after coordinated disclosure."

    def link(self) -> str:
        return reverse("disclosure:list")

    def items(self) -> list[PublicAdvisory]:
        return selectors.public_list(limit=50)

    def item_title(self, item: PublicAdvisory) -> str:
        ids = f"{item.public_id}" + (f" ({item.cve_id})" if item.cve_id else "")
        withdrawn = "[Withdrawn] " if item.withdrawn_at else ""
        return f"{withdrawn}{ids}: {item.summary}"

    def item_description(self, item: PublicAdvisory) -> str:
        return item.details or item.summary

    def item_link(self, item: PublicAdvisory) -> str:
        return reverse("disclosure:detail", args=[item.public_id])

    def item_guid(self, item: PublicAdvisory) -> str:
        return item.osv_id

    def item_pubdate(self, item: PublicAdvisory) -> datetime:
        return item.published_at

    def item_updateddate(self, item: PublicAdvisory) -> datetime:
        # A revision or withdrawal moves ``updated``: feed readers show the entry as changed.
        return item.modified_at
