"""Where the doctor may send: the Web API's base URL, and which slash-command response_urls
it follows and how often.

A response_url is a credential (anyone holding it can post into the channel for 30 minutes)
and, inside a signed request, an address we are told to POST to. So `ResponseUrlPolicy`
follows it only when it is `https://hooks.slack.com/<path>` exactly (no user info, no port, no
other scheme or host), or, when SLACK_API_URL is set, when its scheme and host[:port] are
exactly SLACK_API_URL's. The operator already trusts that origin with the bot token (a
Slack-compatible proxy, or the fake Slack in tests), so a response_url there reveals nothing
new; nothing else can be reached. A refused URL is never requested and never logged.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from doctor.errors import NotifyError
from doctor.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"
RESPONSE_URL_POSTS = 5  # Slack: a response_url takes at most 5 posts within 30 minutes
RESPONSE_URL_WINDOW_SECONDS = 30 * 60

SLACK_RESPONSE_ORIGIN = ("https", "hooks.slack.com")  # (scheme, netloc) of every response_url
MAX_RESPONSE_URL_CHARS = 2048
_URL_TEXT = re.compile(r"[!-~]+")  # printable ASCII without spaces (urlsplit drops tabs, CRs)


def api_base_url(settings: Settings) -> str:
    """SLACK_API_URL or Slack's; slack_sdk joins method names onto it, so it ends with '/'."""
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


class ResponseUrlPolicy:
    """Which response_urls the doctor may POST to (see the module's doc for the rule)."""

    def __init__(self, settings: Settings) -> None:
        self._origins = {SLACK_RESPONSE_ORIGIN}
        if settings.slack_api_url:
            api = urlsplit(settings.slack_api_url.strip())
            if api.scheme in ("https", "http") and api.netloc:
                self._origins.add((api.scheme, api.netloc))

    def allows(self, url: str) -> bool:
        if len(url) > MAX_RESPONSE_URL_CHARS or not _URL_TEXT.fullmatch(url) or "\\" in url:
            return False
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unbalanced '[' in the host
            return False
        # netloc holds user info and port too: both must be absent (or exactly SLACK_API_URL's).
        origin = (parts.scheme, parts.netloc)
        return origin in self._origins and parts.path.startswith("/") and not parts.fragment


def refused_response_url() -> NotifyError:
    return NotifyError(
        "The slash command's response_url is not a Slack URL; nothing was sent to it.",
        hint="Replies go only to https://hooks.slack.com/ (or to SLACK_API_URL's own origin "
        "when it is set); check the proxy in front of the doctor.",
    )


class ResponseUrlBudget:
    """Counts posts per response_url so the doctor never makes a sixth in 30 minutes."""

    def __init__(
        self,
        posts: int = RESPONSE_URL_POSTS,
        window_seconds: float = RESPONSE_URL_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_urls: int = 10_000,
    ) -> None:
        self._posts, self._window, self._max_urls = posts, window_seconds, max_urls
        self._clock = clock
        self._uses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, url: str) -> None:
        """Record one post to `url`, or raise NotifyError when its budget is spent."""
        with self._lock:
            now = self._clock()
            for known in list(self._uses):
                stamps = self._uses[known]
                while stamps and now - stamps[0] >= self._window:
                    stamps.popleft()
                if not stamps:
                    del self._uses[known]
            stamps = self._uses.setdefault(url, deque())
            if len(stamps) >= self._posts:
                raise NotifyError(
                    f"This command's response_url already took {self._posts} posts in "
                    f"{self._window // 60:.0f} minutes, Slack's limit.",
                    hint="Run the slash command again for a fresh response_url.",
                )
            stamps.append(now)
            while len(self._uses) > self._max_urls:  # bound memory: forget the oldest URL
                del self._uses[next(iter(self._uses))]
