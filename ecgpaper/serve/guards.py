"""ASGI layers around the app: a body-size limit, the optional API key, and a last
guard that turns any unexpected error into a 503 (logged without the request body) so
that the service never answers 500.

They are plain ASGI middleware (not `BaseHTTPMiddleware`) so that the size limit applies
while the body streams in, before it is held in memory.
"""

from __future__ import annotations

import hmac
import json
import logging

log = logging.getLogger("ecgpaper.serve")
OPEN_PATHS = ("/healthz", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc")


class BodyTooLarge(Exception):
    pass


async def send_json(send, status: int, body: dict, headers=()) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *headers]})
    await send({"type": "http.response.body", "body": data})


class Guard:
    """Size limit, API key and the no-500 rule, in that order, around `app`."""

    def __init__(self, app, max_body_bytes: int, api_key: str | None = None):
        self.app = app
        self.max_body = int(max_body_bytes)
        self.api_key = api_key or None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if self.api_key and scope["path"] not in OPEN_PATHS and not self._authorised(headers):
            return await send_json(send, 401, {
                "detail": "missing or wrong API key, expected an 'Authorization: Bearer "
                          "<key>' header", "field": "Authorization"},
                [(b"www-authenticate", b"Bearer")])
        declared = headers.get(b"content-length")
        limit_msg = {"detail": f"body larger than the limit of {self.max_body} bytes",
                     "field": "body"}
        try:
            if declared is not None and int(declared) > self.max_body:
                return await send_json(send, 413, limit_msg)
        except ValueError:
            return await send_json(send, 400, {"detail": "Content-Length is not a number",
                                               "field": "Content-Length"})
        started = False
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_json(send, 413, limit_msg)
        except Exception as exc:       # noqa: BLE001 - the no-500 rule
            log.error("unexpected %s on %s %s (request body not logged)",
                      type(exc).__name__, scope.get("method"), scope.get("path"))
            if not started:
                await send_json(send, 503, {"detail": "the service could not process this "
                                            "request (internal error, logged); try again"})

    def _authorised(self, headers: dict) -> bool:
        value = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = value.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_key.encode())
