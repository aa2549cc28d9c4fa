"""WSGI middleware that accepts `Content-Encoding: gzip` request bodies (as OpenLineage clients send)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import orjson
from werkzeug.wsgi import LimitedStream, get_content_length

from core.errors import BadRequest, PayloadTooLarge

_CHUNK = 64 * 1024


class GunzipStream(io.RawIOBase):
    """Decompresses a gzip stream lazily, so a large upload is never inflated whole in memory."""

    def __init__(self, raw, limit: Callable[[], int | None]):
        self._raw = raw
        self._limit = limit
        self._produced = 0
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._buffer = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self, wanted: int) -> None:
        while len(self._buffer) < wanted and not self._eof:
            chunk = self._raw.read(_CHUNK)
            try:
                if chunk:
                    self._buffer += self._inflater.decompress(chunk)
                else:
                    if not self._inflater.eof:
                        raise zlib.error("stream ends before the gzip trailer")
                    self._eof = True
            except zlib.error as exc:
                raise BadRequest(
                    f"request body is not valid gzip ({exc}); send plain JSON or a complete gzip stream",
                    field="Content-Encoding",
                ) from None
            if self._inflater.eof:
                self._eof = True
            self._check_limit(len(self._buffer))

    def _check_limit(self, pending: int) -> None:
        limit = self._limit()
        if limit is not None and self._produced + pending > limit:
            raise PayloadTooLarge(
                f"decompressed body is over the {limit}-byte limit; split the batch", field="body"
            )

    def readinto(self, target) -> int:
        self._fill(len(target))
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        self._produced += n
        return n


def _request_limit(environ) -> Callable[[], int | None]:
    # The Flask request (werkzeug stores it in the environ) knows this endpoint's own limit.
    def limit() -> int | None:
        request = environ.get("werkzeug.request")
        return request.max_content_length if request is not None else None

    return limit


class GzipRequestMiddleware:
    """Replace a gzip body with its decompressed stream; Flask's size limit then applies to the result."""

    def __init__(self, wsgi_app, max_compressed_bytes: int):
        self.wsgi_app = wsgi_app
        self.max_compressed_bytes = max_compressed_bytes

    def __call__(self, environ, start_response):
        encoding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        if encoding == "gzip":
            length = get_content_length(environ)
            if length is not None and length > self.max_compressed_bytes:
                return self._too_large(start_response)
            raw = environ["wsgi.input"]
            if length is not None:
                raw = LimitedStream(raw, length)
            environ["wsgi.input"] = io.BufferedReader(
                GunzipStream(raw, _request_limit(environ)), buffer_size=_CHUNK
            )
            environ.pop("CONTENT_LENGTH", None)
            environ.pop("HTTP_CONTENT_ENCODING", None)
            # Tells werkzeug the stream ends by itself, so max_content_length caps the inflated size.
            environ["wsgi.input_terminated"] = True
        return self.wsgi_app(environ, start_response)

    def _too_large(self, start_response):
        body = PayloadTooLarge(
            f"compressed body is over {self.max_compressed_bytes} bytes", field="body"
        ).to_dict()
        data = orjson.dumps(body)
        start_response(
            "413 Request Entity Too Large",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]
