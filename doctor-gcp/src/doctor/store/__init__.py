"""The history: every diagnosis stored, listed, and compared with the one before."""

from doctor.store.record import changes_since, digest_summary, request_summary
from doctor.store.remember import remember
from doctor.store.store import Page, Previous, Store

__all__ = [
    "Page",
    "Previous",
    "Store",
    "changes_since",
    "digest_summary",
    "remember",
    "request_summary",
]
