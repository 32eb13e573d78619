"""Fetching a calendar by its address, safely: http and https only, a conditional GET
(If-None-Match / If-Modified-Since), one deadline for the whole fetch, a size limit, and no
private, loopback or link-local address unless allowed, checked for every address the host
resolves to and again at every redirect. The connection goes to the address that was checked
(so a second DNS answer cannot point it elsewhere). Standard library only; no Flask.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from planner.errors import N_, ValidationError

MAX_REDIRECTS = 5
MAX_URL = 2000
USER_AGENT = "planner-calendar-sync/1 (+https://github.com/)"


@dataclass(frozen=True)
class FetchSettings:
    """How a fetch may go: its deadline, largest body and whether private addresses are allowed."""

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    allow_private: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FetchSettings:
        """The settings SYNC_TIMEOUT, SYNC_MAX_BYTES and SYNC_ALLOW_PRIVATE_ADDRESSES."""
        return cls(
            timeout=float(config.get("SYNC_TIMEOUT", 20.0)),
            max_bytes=int(config.get("SYNC_MAX_BYTES", 5_000_000)),
            allow_private=bool(config.get("SYNC_ALLOW_PRIVATE_ADDRESSES", False)),
        )


@dataclass(frozen=True)
class Fetched:
    """What the server answered: a body (status 200), or not modified (304, body None)."""

    body: bytes | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.body is None


class Validated(Protocol):
    """A calendar fetched by address with a conditional GET (a school's, a person's)."""

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None


class FetchError(ValidationError):
    """The calendar could not be fetched; the message says why, for the school page."""


def check_url(url: str) -> str:
    """The address if it is one the planner fetches (http or https, with a host), else refused."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise ValidationError(N_("Give the calendar's address, starting with https://."))
    if text.lower().startswith("webcal://"):
        text = "https://" + text[len("webcal://") :]
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            N_("Only http:// and https:// addresses can be fetched, not '%(url)s'."),
            url=text[:80],
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is no number)
    except ValueError:
        raise ValidationError(N_("The address '%(url)s' has a bad port."), url=text[:80]) from None
    if parts.username or parts.password:
        raise ValidationError(N_("An address with a name and password in it is not fetched."))
    return text


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, settings: FetchSettings) -> list[str]:
    """Every address the host resolves to; refused if any is not public (unless allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchError(N_("The server %(host)s is unknown."), host=host) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(N_("The server %(host)s is unknown."), host=host)
    if not settings.allow_private and not all(_public(a) for a in addresses):
        raise FetchError(
            N_(
                "The address %(host)s is on a private or local network; the planner fetches"
                " only public addresses."
            ),
            host=host,
        )
    return addresses


def fetch_calendar(
    url: str,
    settings: FetchSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET the address (conditionally), following at most five redirects, each checked again."""
    deadline = time.monotonic() + settings.timeout
    current = check_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        status, headers, body = _get(current, settings, deadline, etag, last_modified)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            current = check_url(urljoin(current, headers["location"]))
            continue
        if status == 304:
            return Fetched(None, etag, last_modified)
        if status != 200:
            raise FetchError(
                N_("The server answered %(status)s instead of the calendar."), status=status
            )
        return Fetched(body, headers.get("etag"), headers.get("last-modified"))
    raise FetchError(N_("The address redirects more than %(max)s times."), max=MAX_REDIRECTS)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(N_("The server did not answer in time."))
    return left


def _get(
    url: str,
    settings: FetchSettings,
    deadline: float,
    etag: str | None,
    last_modified: str | None,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    addresses = resolve(host, port, settings)
    connection = _connect(host, port, addresses, https, deadline)
    response: http.client.HTTPResponse | None = None
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "User-Agent": USER_AGENT,
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        found = {key.lower(): value for key, value in response.getheaders()}
        length = found.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_bytes:
            raise _too_large(settings)
        body = bytearray()
        if response.status == 200:
            while chunk := response.read(min(65536, settings.max_bytes + 1 - len(body))):
                body += chunk
                if len(body) > settings.max_bytes:
                    raise _too_large(settings)
                if connection.sock is not None:
                    connection.sock.settimeout(_remaining(deadline))
        return response.status, found, bytes(body)
    except TimeoutError:
        raise FetchError(N_("The server did not answer in time.")) from None
    except (http.client.HTTPException, OSError) as error:
        raise FetchError(
            N_("The calendar could not be fetched: %(error)s"), error=type(error).__name__
        ) from None
    finally:
        if response is not None:
            response.close()
        connection.close()


def _too_large(settings: FetchSettings) -> FetchError:
    return FetchError(
        N_("The calendar is larger than %(size)s MB."), size=round(settings.max_bytes / 1e6, 1)
    )


def _connect(
    host: str, port: int, addresses: list[str], https: bool, deadline: float
) -> http.client.HTTPConnection:
    """A connection to the first checked address that answers (TLS checked against the host)."""
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout=_remaining(deadline))
        except TimeoutError:
            raise FetchError(N_("The server did not answer in time.")) from None
        except OSError as error:
            last = error
            continue
        try:
            if https:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            sock.settimeout(_remaining(deadline))
        except (ssl.SSLError, OSError):
            sock.close()
            raise FetchError(
                N_("The secure connection to %(host)s failed (certificate)."), host=host
            ) from None
        except BaseException:
            sock.close()
            raise
        connection = (
            http.client.HTTPSConnection(host, port)
            if https
            else http.client.HTTPConnection(host, port)
        )
        connection.sock = sock
        return connection
    raise FetchError(
        N_("The server %(host)s could not be reached: %(error)s"),
        host=host,
        error=type(last).__name__ if last else "",
    )
