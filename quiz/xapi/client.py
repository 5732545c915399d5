"""Talking to an LRS over HTTP (httpx): posting statement batches, reading statements back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

import httpx

from quiz.safejson import loads as bounded_json
from quiz.textsafe import safe
from quiz.xapi.config import Endpoint, origin

XAPI_VERSION = "1.0.3"


class LrsError(Exception):
    """The LRS could not be reached or refused a request."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def refused(self) -> bool:
        """The LRS refused these statements for what they are: sending them again won't help."""
        return self.status in (400, 409, 413, 422)

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, a server error, or too many requests."""
        return self.status is None or self.status >= 500 or self.status in (408, 429)


class LrsClient:
    """One LRS endpoint; the transport can be swapped (tests cut the line with it)."""

    def __init__(
        self,
        end: Endpoint,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = end
        auth = httpx.BasicAuth(end.key, end.secret or "") if end.key is not None else None
        self.http = httpx.Client(
            auth=auth,
            timeout=timeout,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, statements: Sequence[str]) -> None:
        """Store a batch of statements (JSON texts, sent byte for byte as queued)."""
        body = "[" + ",".join(statements) + "]"
        try:
            reply = self.http.post(
                self.endpoint.statements_url,
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise LrsError(f"{self.endpoint.url}: cannot reach the LRS: {exc}") from exc
        # 204: the LRS had every one already (a batch sent again after a crash).
        if reply.status_code not in (200, 204):
            raise LrsError(_refusal(self.endpoint.url, reply), status=reply.status_code)

    def statements(self, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        """Every statement matching the query, following the LRS's `more` links."""
        url: str | None = self.endpoint.statements_url
        query: Mapping[str, str] | None = params
        while url:
            try:
                reply = self.http.get(url, params=query)
            except httpx.HTTPError as exc:
                raise LrsError(f"{self.endpoint.url}: cannot reach the LRS: {exc}") from exc
            if reply.status_code != 200:
                raise LrsError(_refusal(self.endpoint.url, reply), status=reply.status_code)
            try:
                # An LRS is another program: its JSON's nesting is bounded before parsing.
                page = bounded_json(reply.text, 64)
                batch = page["statements"]
            except (ValueError, KeyError, TypeError, UnicodeError) as exc:
                raise LrsError(f"{self.endpoint.url}: the LRS's answer is not xAPI") from exc
            yield from batch
            more = page.get("more") or ""
            # `more` is a path on the same server (xAPI 1.0.3, 2.1.3); never another host.
            url = urljoin(origin(self.endpoint.url) + "/", more) if more and batch else None
            if url and origin(url) != origin(self.endpoint.url):
                raise LrsError(f"{self.endpoint.url}: the LRS sent a `more` link elsewhere")
            query = None


def _refusal(url: str, reply: httpx.Response) -> str:
    # The LRS's words, printed inert: a hostile server cannot send escapes to the terminal.
    detail = safe(reply.text.strip().replace("\n", " ")[:300])
    return f"{url}: the LRS answered {reply.status_code}: {detail}"
