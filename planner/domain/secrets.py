"""Secrets in links (feeds, answer links): random, stored only as their SHA-256.

A plain hash suffices because the secret is random and long; there is nothing to guess that a
slow hash would protect. A leaked database thus leaks no working link.
"""

from __future__ import annotations

import hashlib
import secrets
import string

SECRET_BYTES = 24  # 192 bits, 32 URL-safe characters
_SECRET_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


def new_secret() -> str:
    """Return a new random secret for a link."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """Return the stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def plausible_secret(secret: str) -> bool:
    """Return whether `secret` could be one of ours at all (length and alphabet)."""
    return 16 <= len(secret) <= 64 and _SECRET_CHARS.issuperset(secret)
