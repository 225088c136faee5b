"""Where an Ed-Fi import reads its resources from: a folder of saved JSON files, or an Ed-Fi ODS/API (v7,
Data Standard 5.x) with OAuth2 client credentials. Both hand out the same thing, one resource at a time:
`(where, index, document)` — `where` names the file or the page, `index` is the position in that JSON array,
so every problem can say exactly which record it is about.

Folder: one file per resource named after its URL path (`contacts.json`, `grades.json`, …), each a JSON array
exactly as one API page returns it; a resource may be split into `contacts-1.json`, `contacts-2.json`, … (read
in number order). File names are matched without regard to case. Files are streamed with ijson (item by
item), so a 10-million-event file is never held in memory.

API: `GET URL` is the ODS/API's discovery document (`urls.oauth`, `urls.dataManagementApi`); without one,
the token endpoint is `URL/oauth/token` and the resources are under `URL/data/v3/`. The token is asked for
with the client-credentials grant (key and secret as HTTP Basic, as the ODS/API expects); every resource is
read page by page with `offset` and `limit` (and `totalCount=true` on the first page, whose `Total-Count`
header is used for progress), until a page comes back shorter than `limit`. An expired token (401) is
renewed once; a network failure or a 5xx is retried three times.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
from ijson.common import ObjectBuilder

from app.importers.csv_reading import UnreadableSource
from app.rules.numbers import whole_number

# In the order they are read: what is matched first, then what refers to it.
RESOURCES = ("students", "sections", "gradingPeriods", "calendarDates", "contacts", "studentContactAssociations",
             "grades", "studentSchoolAttendanceEvents", "studentSectionAttendanceEvents")
# Read when the ODS/API lets the key read them; a 403 or 404 is a WARNING, not an ERROR (a district's
# claim set made before Homeroom read calendars keeps working).
OPTIONAL = ("calendarDates",)
_FILE_NAME = re.compile(r"(?P<name>[A-Za-z]+)(?:-(?P<part>[0-9]+))?\.json", re.IGNORECASE)
_BY_LOWER = {name.lower(): name for name in RESOURCES}


class SourceFailed(Exception):
    """The source stopped answering in a way the import cannot go on from (a page that is not JSON, an HTTP
    error): the message says where."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


class ResourceUnavailable(SourceFailed):
    """An optional resource the ODS/API does not serve to this key: the import goes on without it."""


@dataclass(frozen=True)
class Page:
    where: str  # file name, or "grades page 3 (offset 1000)"
    index: int  # position in the JSON array
    document: Any


class FolderSource:
    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise UnreadableSource(f"'{folder}' is not a folder")
        self.folder = folder
        self.files: dict[str, list[Path]] = {}
        self.unknown: list[str] = []
        parts: dict[str, list[tuple[int, str, Path]]] = {}
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            found = _FILE_NAME.fullmatch(path.name)
            resource = _BY_LOWER.get(found["name"].lower()) if found else None
            if resource is None:
                if path.suffix.lower() == ".json":
                    self.unknown.append(path.name)
                continue
            parts.setdefault(resource, []).append((int(found["part"] or 0), path.name, path))
        for resource, found_parts in parts.items():
            self.files[resource] = [path for _, _, path in sorted(found_parts)]
        if not self.files:
            raise UnreadableSource(f"'{folder}' has none of the Ed-Fi resource files Homeroom reads "
                                   f"({', '.join(name + '.json' for name in RESOURCES)})")

    def describe(self) -> str:
        return str(self.folder)

    def has(self, resource: str) -> bool:
        return resource in self.files

    async def documents(self, resource: str) -> AsyncIterator[Page]:
        for path in self.files.get(resource, []):
            for page in _stream_file(path):
                yield page

    async def close(self) -> None:
        pass


def _stream_file(path: Path):
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(3)
        if head != b"\xef\xbb\xbf":
            handle.seek(0)
        start = handle.tell()
        first = b""
        while True:
            byte = handle.read(1)
            if not byte or not byte.isspace():
                first = byte
                break
        if first != b"[":
            raise SourceFailed(name, "the file must be a JSON array of resources, as one API page returns them "
                                     "(it starts with '[')" if first else "the file is empty")
        handle.seek(start)
        index = -1
        try:
            for index, document in _items(handle, name):
                yield Page(name, index, document)
        except ijson.JSONError as problem:
            raise SourceFailed(name, f"is not valid JSON after array index {index}: {problem}") from None


# An Ed-Fi resource is a few levels deep (a contact's addresses' periods: 4). Far deeper is not a resource, and
# ijson's items() costs memory with the square of the depth (an attacker's find: 240 KB nested 40,000 deep took
# 1.66 GB; 1.2 MB ran for minutes).
MAX_DEPTH = 32


def _items(handle, name: str):
    """(array index, document) for each element of the file's top-level array, built from ijson's basic events
    (no prefix strings), refusing an element nested more than MAX_DEPTH deep with SourceFailed."""
    depth, index, builder = 0, -1, None
    for event, value in ijson.basic_parse(handle, use_float=True):
        if event in ("start_map", "start_array"):
            depth += 1
            if depth == 1:
                continue  # the file's own array
            if depth > MAX_DEPTH + 1:
                raise SourceFailed(name, f"array index {index} is nested more than {MAX_DEPTH} levels deep: "
                                         "not an Ed-Fi resource")
            if depth == 2:
                builder, index = ObjectBuilder(), index + 1
            builder.event(event, value)
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                continue
            builder.event(event, value)
            if depth == 1:
                yield index, builder.value
                builder = None
        elif depth == 1:  # a bare value in the file's array (reported by the importer as not a resource)
            index += 1
            yield index, value
        else:
            builder.event(event, value)


# ------------------------------------------------------------------------------------------------------ the API

class ApiSource:
    PAGE_SIZE = 500  # the ODS/API's default largest page
    RETRIES = 3

    def __init__(self, url: str, key: str, secret: str, *, page_size: int = PAGE_SIZE, client=None) -> None:
        import httpx

        if not re.match(r"https?://", url):
            raise UnreadableSource(f"'{url}' is not an http:// or https:// address")
        self.url = url.rstrip("/")
        self.key, self.secret = key, secret
        self.page_size = page_size
        self.client = client or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=15.0))
        self.token: str | None = None
        self.oauth_url = f"{self.url}/oauth/token"
        self.data_url = f"{self.url}/data/v3"
        self.totals: dict[str, int] = {}
        self._discovered = False

    def describe(self) -> str:
        return self.url

    def has(self, resource: str) -> bool:
        return True

    async def close(self) -> None:
        await self.client.aclose()

    async def _request(self, where: str, method: str, url: str, **options):
        import httpx

        for attempt in range(self.RETRIES + 1):
            try:
                response = await self.client.request(method, url, **options)
            except httpx.HTTPError as problem:
                if attempt == self.RETRIES:
                    raise SourceFailed(where, f"the ODS/API did not answer ({type(problem).__name__}: {problem})"
                                       ) from None
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                if attempt == self.RETRIES:
                    return response
            await asyncio.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")

    async def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        response = await self._request("discovery", "GET", self.url + "/", headers={"Accept": "application/json"})
        try:
            urls = response.json().get("urls", {}) if response.status_code == 200 else {}
        except ValueError:
            urls = {}
        if isinstance(urls, dict):
            if isinstance(urls.get("oauth"), str):
                self.oauth_url = urls["oauth"]
            if isinstance(urls.get("dataManagementApi"), str):
                self.data_url = urls["dataManagementApi"].rstrip("/")

    async def _get_token(self) -> str:
        await self._discover()
        response = await self._request("token", "POST", self.oauth_url, data={"grant_type": "client_credentials"},
                                       auth=(self.key, self.secret))
        if response.status_code in (400, 401, 403):
            raise SourceFailed("token", f"the ODS/API refused the key and secret ({response.status_code} at "
                                        f"{self.oauth_url})")
        if response.status_code != 200:
            raise SourceFailed("token", f"the token endpoint answered {response.status_code} ({self.oauth_url})")
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            token = None
        if not isinstance(token, str) or not token:
            raise SourceFailed("token", "the token endpoint's answer has no access_token")
        return token

    async def documents(self, resource: str) -> AsyncIterator[Page]:
        if self.token is None:
            self.token = await self._get_token()
        url = f"{self.data_url}/ed-fi/{resource}"
        offset, page_number, previous = 0, 1, None
        while True:
            where = f"{resource} page {page_number} (offset {offset})"
            params = {"offset": offset, "limit": self.page_size}
            if page_number == 1:
                params["totalCount"] = "true"
            response = None
            for renewed in (False, True):
                response = await self._request(where, "GET", url, params=params, headers={
                    "Authorization": f"Bearer {self.token}", "Accept": "application/json"})
                if response.status_code != 401 or renewed:
                    break
                self.token = await self._get_token()
            if resource in OPTIONAL and response.status_code in (403, 404) and page_number == 1:
                raise ResourceUnavailable(where, f"the ODS/API answered {response.status_code}: this key may not "
                                                 f"read {resource}; Homeroom counts school days without it")
            if response.status_code == 404 and page_number == 1:
                raise SourceFailed(where, f"the ODS/API has no resource '{resource}' at {url}")
            if response.status_code != 200:
                raise SourceFailed(where, f"the ODS/API answered {response.status_code}")
            if (total := whole_number(response.headers.get("Total-Count") or "")) is not None:
                self.totals[resource] = total
            try:
                documents = response.json()
            except ValueError:
                raise SourceFailed(where, "the page is not valid JSON") from None
            except RecursionError:  # an attacker's find: a bare RecursionError, no page named
                raise SourceFailed(where, "the page is nested too deep to be Ed-Fi resources") from None
            if not isinstance(documents, list):
                raise SourceFailed(where, "the page is not a JSON array of resources")
            if documents and documents == previous:
                # A server that ignores `offset` gives the first page for ever (an IT lead's mock ran past
                # offset 247,000 inside one transaction).
                raise SourceFailed(where, "the ODS/API answered with the same resources as the page before: it "
                                          "does not page by offset")
            for index, document in enumerate(documents):
                yield Page(where, index, document)
            offset += len(documents)
            total = self.totals.get(resource)
            # A page shorter than asked for is the last one, unless the ODS/API said there are more: a server or
            # proxy that caps pages (at 100 where 500 were asked for) stopped the read after one page, exit 0.
            if not documents or (offset >= total if total is not None else len(documents) < self.page_size):
                if total is not None and offset < total:
                    raise SourceFailed(where, f"the ODS/API said {resource} has {total:,}, but its pages ended "
                                              f"after {offset:,} (records removed while it was read? run the import "
                                              "again)")
                return
            previous = documents
            page_number += 1


def source_help() -> str:
    """What `homeroom import edfi` reads, for its --help: from RESOURCES."""
    import textwrap

    names = ", ".join(name + (" (optional)" if name in OPTIONAL else "") for name in RESOURCES)
    return "\n".join(textwrap.fill(text, 100, break_on_hyphens=False) for text in (
        f"Resources read, in this order: {names}.",
        "--folder DIR: one file per resource named after it (contacts.json), each a JSON array as one API page "
        "returns it; a resource may be split into contacts-1.json, contacts-2.json, ... (read in number order). "
        "File names are matched without regard to case.",
        "--url URL: the ODS/API's base address; its discovery document names the token and data addresses "
        "(without one: URL/oauth/token and URL/data/v3/)."))
