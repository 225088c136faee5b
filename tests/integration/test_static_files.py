"""Static files from memory (issue 13, the request floor; app/web/static_files.py): every file is served as it
is on disk, compressed or not as the client asks, cached forever, with the security headers, and nothing
outside the folder (or not in it) is served."""

from __future__ import annotations

import pytest

from app.paths import STATIC_DIR

FILES = sorted(p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file())


@pytest.mark.parametrize("relative", FILES)
async def test_every_static_file_comes_back_as_it_is_on_disk_in_each_coding(portal, relative):
    on_disk = (STATIC_DIR / relative).read_bytes()
    for coding in ("identity", "gzip", "br"):
        response = await portal.client.get(f"/static/{relative}?v=x", headers={"accept-encoding": coding})
        assert response.status_code == 200
        sent = response.headers.get("content-encoding", "identity")
        assert sent in (coding, "identity")  # a file too small to be worth compressing goes as it is
        assert response.content == on_disk, (relative, coding)  # httpx undoes the coding it was sent
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in response.headers


async def test_a_large_file_is_sent_compressed_and_says_it_varies_by_coding(portal):
    response = await portal.client.get("/static/css/site.css", headers={"accept-encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "br"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"].startswith("text/css")
    refused = await portal.client.get("/static/css/site.css", headers={"accept-encoding": "br;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"


async def test_a_file_the_browser_has_is_not_sent_again(portal):
    first = await portal.client.get("/static/js/app.js")
    again = await portal.client.get("/static/js/app.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/css", "/static/css/", "/static/../pyproject.toml",
                                  "/static/%2e%2e/pyproject.toml", "/static/css/../../pyproject.toml",
                                  "/static//etc/passwd", "/static/css/site.css/x"])
async def test_anything_else_is_not_found(portal, path):
    response = await portal.client.get(path)
    assert response.status_code == 404
    assert b"[tool" not in response.content and b"root:" not in response.content


async def test_head_answers_like_get_without_the_body(portal):
    got = await portal.client.get("/static/css/site.css", headers={"accept-encoding": "br"})
    head = await portal.client.head("/static/css/site.css", headers={"accept-encoding": "br"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
