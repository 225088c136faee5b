"""A small Ed-Fi ODS/API stand-in on 127.0.0.1 for the HTTP path of `homeroom import edfi --url`: real HTTP
(http.server in a thread), the discovery document, the OAuth2 client-credentials token endpoint (key and secret
as HTTP Basic or in the form), and resources paged with offset/limit and `Total-Count` when `totalCount=true`,
as the ODS/API v7 serves them. Only the transport is stood in for: the documents are the tests' own."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY, SECRET = "homeroom-client", "s3cret-not-for-production"
MAX_LIMIT = 500  # the ODS/API refuses larger pages


class EdfiServer:
    def __init__(self, resources: dict[str, list]) -> None:
        self.resources = resources
        self.tokens: set[str] = set()
        self.requests: list[str] = []
        self.expire_next = False  # answer 401 once, as when a token runs out mid-run
        self.fail_with: int | None = None  # every data request answers this status
        self.page_cap: int | None = None  # pages no longer than this, whatever limit asks (a proxy's or a vendor's)
        self.ignore_offset = False  # every page starts at the first resource (a server that does not page)
        self.raw_pages: dict[str, str] = {}  # a resource's every page as this text, JSON or not
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EdfiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body, headers: dict | None = None) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()  # str: sent as is
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                owner.requests.append(self.path)
                base = f"http://127.0.0.1:{owner.server.server_address[1]}/api"
                if url.path in ("/api", "/api/"):
                    return self._send(200, {"version": "7.1", "dataModels": [{"name": "Ed-Fi", "version": "5.0.0"}],
                                            "urls": {"oauth": f"{base}/oauth/token",
                                                     "dataManagementApi": f"{base}/data/v3/"}})
                prefix = "/api/data/v3/ed-fi/"
                if not url.path.startswith(prefix):
                    return self._send(404, {"message": "not found"})
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in owner.tokens:
                    return self._send(401, {"message": "Authorization denied."})
                if owner.expire_next:
                    owner.expire_next = False
                    owner.tokens.discard(token)
                    return self._send(401, {"message": "Invalid token"})
                if owner.fail_with:
                    return self._send(owner.fail_with, {"message": "failure"})
                name = url.path[len(prefix):]
                if name not in owner.resources:
                    return self._send(404, {"message": "not found"})
                query = parse_qs(url.query)
                offset = 0 if owner.ignore_offset else int(query.get("offset", ["0"])[0])
                limit = int(query.get("limit", ["25"])[0])
                if limit > MAX_LIMIT:
                    return self._send(400, {"message": f"Limit must be between 0 and {MAX_LIMIT}."})
                limit = min(limit, owner.page_cap or limit)
                if name in owner.raw_pages:
                    return self._send(200, owner.raw_pages[name])
                documents = owner.resources[name]
                headers = {"Total-Count": str(len(documents))} if query.get("totalCount") == ["true"] else {}
                return self._send(200, documents[offset:offset + limit], headers)

            def do_POST(self) -> None:  # noqa: N802
                owner.requests.append(self.path)
                if urlsplit(self.path).path != "/api/oauth/token":
                    return self._send(404, {"message": "not found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                key, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):
                    key, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                if form.get("grant_type") != ["client_credentials"]:
                    return self._send(400, {"error": "unsupported_grant_type"})
                if (key, secret) != (KEY, SECRET):
                    return self._send(401, {"error": "invalid_client"})
                token = secrets.token_hex(16)
                owner.tokens.add(token)
                return self._send(200, {"access_token": token, "expires_in": 1800, "token_type": "bearer"})

        return Handler
