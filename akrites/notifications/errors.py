"""The failure a channel reports: a short code that is safe to record and show."""

from __future__ import annotations


class ChannelError(Exception):
    """The channel did not accept the delivery; ``code`` names why, without content."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
