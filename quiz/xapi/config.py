"""Where the LRS is and how to log in: the endpoint in the database, credentials kept apart."""

from __future__ import annotations

import ipaddress
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from quiz.store.database import Store
from quiz.xapi.outbox import ACTIVITY_BASE, ENDPOINT, HOME_PAGE, default_activity_base


class LrsConfigError(Exception):
    """The LRS settings are missing or unsafe; the message says what to do."""


@dataclass(frozen=True)
class Endpoint:
    """An LRS to talk to: its xAPI base URL and Basic credentials."""

    url: str  # the xAPI endpoint, e.g. https://lrs.example.edu/xAPI
    key: str | None
    secret: str | None
    home_page: str
    activity_base: str

    @property
    def statements_url(self) -> str:
        """The Statements resource."""
        return f"{self.url.rstrip('/')}/statements"


def is_loopback(host: str) -> bool:
    """True for this machine only: localhost or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The URL if it is safe to send learners' answers to: HTTPS, or HTTP to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsConfigError(f"{url}: error: the LRS address must be an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise LrsConfigError(
            f"{url}: error: the LRS must be reached over HTTPS (plain HTTP only to localhost)"
        )
    return url


def check_home_page(url: str) -> str:
    """The URL if it can name an institution: any http(s) URL (it is an identifier, not fetched)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsConfigError(f"{url}: error: the home page must be an http(s) URL")
    return url


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def credentials_path() -> Path:
    """The credentials file: $QUIZ_LRS_CREDENTIALS, else in the user's config folder."""
    env = os.environ.get("QUIZ_LRS_CREDENTIALS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir("quiz", appauthor=False)) / "lrs-credentials.json"


def _read_credentials(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LrsConfigError(
            f"{path}: error: the LRS credentials file can be read by others; "
            f"make it yours alone (chmod 600 {path})"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LrsConfigError(f"{path}: error: cannot read the LRS credentials: {exc}") from exc
    return data if isinstance(data, dict) else {}


def save_credentials(url: str, key: str, secret: str) -> Path:
    """Store the key and secret for an endpoint in a file only the user can read."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = _read_credentials(path)
    data[url] = {"key": key, "secret": secret}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # Created owner-only, never widened: the secret is never readable by others, even briefly.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
    os.replace(temporary, path)
    return path


def endpoint(store: Store) -> Endpoint:
    """The LRS to use: the database's settings, QUIZ_LRS_* environment variables first."""
    settings = store.lrs_settings()
    url = os.environ.get("QUIZ_LRS_URL") or settings.get(ENDPOINT)
    if not url:
        raise LrsConfigError(
            "error: no LRS is set; set one with `quiz lrs set URL --key KEY --secret SECRET`"
        )
    check_url(url)
    key = os.environ.get("QUIZ_LRS_KEY")
    secret = os.environ.get("QUIZ_LRS_SECRET")
    if key is None or secret is None:
        stored = _read_credentials(credentials_path()).get(url, {})
        key = key if key is not None else stored.get("key")
        secret = secret if secret is not None else stored.get("secret")
    home = os.environ.get("QUIZ_LRS_HOME_PAGE") or settings.get(HOME_PAGE) or origin(url)
    base = settings.get(ACTIVITY_BASE) or default_activity_base(home)
    return Endpoint(url, key, secret, home, base)
