"""Feed addresses, and the subscribe links for them: https, webcal, and the one-click links of
Google and Outlook."""

from __future__ import annotations

from urllib.parse import quote, urlencode

GOOGLE_ADD = "https://calendar.google.com/calendar/render?cid="
OUTLOOK_ADD = "https://outlook.live.com/calendar/0/addfromweb?"
OUTLOOK_365_ADD = "https://outlook.office.com/calendar/0/addfromweb?"


def subscribe_links(url: str, name: str) -> dict[str, str]:
    """Return the links a user needs to subscribe to the feed at `url` (http or https)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    webcal = f"webcal://{rest}"
    return {
        "https": url,
        "webcal": webcal,
        "google": GOOGLE_ADD + quote(webcal, safe=""),
        "outlook": OUTLOOK_ADD + urlencode({"url": url, "name": name}),
        "outlook365": OUTLOOK_365_ADD + urlencode({"url": url, "name": name}),
    }


def token_feed_url(base_url: str, secret: str) -> str:
    """The https (or http) address of the feed behind `secret`."""
    return f"{base_url}/feeds/{secret}.ics"


def region_feed_url(base_url: str, region: str, language: str = "nl") -> str:
    """The address of a region's public school holiday feed (Dutch unless asked otherwise)."""
    query = "" if language == "nl" else f"?lang={language}"
    return f"{base_url}/feeds/regions/{region}.ics{query}"
