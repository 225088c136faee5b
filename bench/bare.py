"""The yardstick: a bare Litestar route on the same server stack, so page figures read as ratios
(absolute times on a shared machine are noise; ratios are not; docs/quality.md §6)."""

from litestar import Litestar, get


@get("/bare", media_type="text/plain")
async def bare() -> str:
    return "ok"


app = Litestar(route_handlers=[bare], openapi_config=None)
