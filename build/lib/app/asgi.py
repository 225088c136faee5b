"""The ASGI application uvicorn serves: `uvicorn app.asgi:app` (what `homeroom serve` runs in each worker).

Logging is configured here, in the serving process, and every request passes through the request log."""

from app import create_app
from app.observability import RequestLog, configure_logging
from app.settings import get_settings

configure_logging(get_settings())
app = RequestLog(create_app())
