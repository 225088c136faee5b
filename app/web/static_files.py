"""Static files from memory, compressed once (issue 13: every request pays only for what it needs).

Litestar's static-files router looked every file up on disk, opened, read and closed it through worker threads
(four thread hops a request) and brotli-compressed the same bytes again for every request. Here each file under
`static/` is read once per process, on its first request, with its brotli (quality 11) and gzip variants made
at the same time; a request is a dictionary lookup and one response. The files are the package's own and do not
change while it runs (their URLs carry a content hash, app/static_assets.py).

Only files that are in the folder when the process starts are served; any other path (a typo, `..`, a folder)
is the usual 404. The route is public and skips the session read (app/web/middleware.py), the CSRF middleware
and the compression middleware; the security headers still go on every response (`security_headers`).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

import brotli
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app.paths import STATIC_DIR

# Below this a compressed copy is not worth its header (the portal's compression setting uses the same line).
MINIMUM_COMPRESSED_SIZE = 400
SKIP_COMPRESSION = "skip_compression"  # the route's opt key the compression middleware is told to honour


@dataclass(frozen=True)
class StaticFile:
    media_type: str
    etag: str
    last_modified: str
    plain: bytes
    brotli: bytes | None
    gzip: bytes | None


def _listing(root: Path) -> dict[str, Path]:
    return {path.relative_to(root).as_posix(): path for path in sorted(root.rglob("*")) if path.is_file()}


class StaticFiles:
    """The folder's files by their path below it, each loaded (and compressed) on first use."""

    def __init__(self, root: Path) -> None:
        self.paths = _listing(root)
        self.loaded: dict[str, StaticFile] = {}
        self._lock = threading.Lock()

    def get(self, relative_path: str) -> StaticFile | None:
        found = self.loaded.get(relative_path)
        if found is not None:
            return found
        path = self.paths.get(relative_path)
        if path is None:
            return None
        with self._lock:
            if relative_path not in self.loaded:
                self.loaded[relative_path] = _load(path)
        return self.loaded[relative_path]


def _load(path: Path) -> StaticFile:
    content = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"  # Litestar adds text's charset
    small = len(content) < MINIMUM_COMPRESSED_SIZE
    squeezed = None if small else brotli.compress(content, quality=11)
    gzipped = None if small else gzip.compress(content, compresslevel=9, mtime=0)
    return StaticFile(media_type=media_type, etag='"' + hashlib.sha256(content).hexdigest()[:20] + '"',
                      last_modified=formatdate(path.stat().st_mtime, usegmt=True), plain=content,
                      brotli=squeezed if squeezed is not None and len(squeezed) < len(content) else None,
                      gzip=gzipped if gzipped is not None and len(gzipped) < len(content) else None)


FILES = StaticFiles(STATIC_DIR)


def _accepts(accept_encoding: str, coding: str) -> bool:
    """Whether the client takes `coding` (a q=0 refusal counts as not taking it)."""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == coding:
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


@get("/static/{file_path:path}", opt={"public": True, "exclude_from_csrf": True, SKIP_COMPRESSION: True},
     include_in_schema=False)
async def static_file(request: Request, file_path: FromPath[str]) -> Response:
    found = FILES.get(file_path.lstrip("/"))
    if found is None:
        raise NotFoundException()
    headers = {"ETag": found.etag, "Last-Modified": found.last_modified}
    if found.brotli is not None or found.gzip is not None:
        headers["Vary"] = "Accept-Encoding"
    if request.headers.get("if-none-match") == found.etag:
        return Response(content=b"", status_code=304, headers=headers)
    accept = request.headers.get("accept-encoding", "")
    body = found.plain
    if found.brotli is not None and _accepts(accept, "br"):
        body, headers["Content-Encoding"] = found.brotli, "br"
    elif found.gzip is not None and _accepts(accept, "gzip"):
        body, headers["Content-Encoding"] = found.gzip, "gzip"
    return Response(content=body, media_type=found.media_type, headers=headers)
