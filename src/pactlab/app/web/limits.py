"""What a request may cost the server: the body's size counted as it streams (a chunked body
has no Content-Length to trust), and how much of a request an error message echoes."""
from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException

from ...core.errors import PactError

#: the most characters of an error message that come back (a message may quote the input)
MESSAGE_CHARS = 300
#: the most points x pacts a robust design may value on the request path (each is a whole
#: evaluation of a pact under moved assumptions and terms)
MAX_ROBUST_PACT_POINTS = 64


def robust_cap(points: int, paths: int, pacts: int, max_paths: int, *,
               field: str | None = None) -> None:
    """A robust design within what one request may cost here: each pact valued at its points
    and its defaults, ``(points + 1) x paths`` futures, at most `max_paths` (the futures a
    request may value a pact); ``points x pacts`` at most :data:`MAX_ROBUST_PACT_POINTS`."""
    if (points + 1) * paths > max_paths:
        raise PactError(f"request: {field or 'points x paths'}: at most {max_paths:,} futures a "
                        f"pact here ((points + 1) x paths, the defaults counted), got "
                        f"({points:,} + 1) x {paths:,}")
    if points * pacts > MAX_ROBUST_PACT_POINTS:
        raise PactError(f"request: {field or 'points x pacts'}: at most {MAX_ROBUST_PACT_POINTS} "
                        f"points x pacts here (each a whole evaluation), got {points:,} x {pacts}")


def one_line(message: str, limit: int = MESSAGE_CHARS) -> str:
    """The message on one line, cut to `limit` characters (with an ellipsis)."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BodyTooLarge(HTTPException):
    """The body went over the cap while it was being read."""

    def __init__(self, max_body: int) -> None:
        super().__init__(413, f"the body is over {max_body:,} bytes")


class BodyLimit:
    """Pure ASGI middleware: a declared Content-Length over `max_body` is refused before a byte
    is read; otherwise the bytes are counted as the app receives them, and the read that
    crosses `max_body` raises :class:`BodyTooLarge` (the app's handler answers 413)."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _refuse(send, self.max_body)
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:        # raised where no handler caught it: answer here if we can
            if not started:
                await _refuse(send, self.max_body)


async def _refuse(send: Any, max_body: int) -> None:
    body = json.dumps({"error": f"request: the body is over {max_body:,} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
