"""`/healthz` (the process is up) and `/readyz` (it can serve: see app/services/health.py) for load balancers
and uptime monitors. They answer whatever Host the probe sends (a balancer sends the server's own address),
touch no session, and say nothing but "ok" or which check failed."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get

from app.services.health import readiness

HEALTH_PATHS = ("/healthz", "/readyz")
HEALTH_PATH_PATTERNS = [f"^{path}$" for path in HEALTH_PATHS]  # Litestar's `exclude` takes regular expressions
_PLAIN = {"Cache-Control": "no-store"}


class HealthController(Controller):
    path = "/"
    opt = {"public": True}
    include_in_schema = False

    @get("/healthz", media_type=MediaType.TEXT)
    async def healthz(self) -> Response[str]:
        return Response("ok\n", media_type=MediaType.TEXT, headers=_PLAIN)

    @get("/readyz", media_type=MediaType.TEXT)
    async def readyz(self) -> Response[str]:
        state = await readiness()
        if state.ready:
            return Response("ok\n", media_type=MediaType.TEXT, headers=_PLAIN)
        return Response("not ready: " + ", ".join(state.failing) + "\n", status_code=503,
                        media_type=MediaType.TEXT, headers={**_PLAIN, "Retry-After": "5"})
