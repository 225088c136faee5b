"""Numbers from the URL that no row can have are "not found", for every route at once (issue 9): a path
or query integer beyond the id columns' range (PostgreSQL's `integer`, 32 bits; SQLite refuses more than
64) otherwise reached the database and came back as a 500. A guard on the app, so a new route cannot
forget it; it reads the handler's own signature to know which parameters are integers."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler

# Row ids are PostgreSQL `integer` (serial); page numbers are far below.
LARGEST_ID = 2**31 - 1
SMALLEST = -LARGEST_ID


async def integers_in_range(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    signature = handler.parsed_fn_signature.parameters
    for name, value in connection.path_params.items():
        if isinstance(value, int) and not SMALLEST <= value <= LARGEST_ID:
            raise NotFoundException()
    for name, parameter in signature.items():
        if parameter.annotation is int and name in connection.query_params:
            text = connection.query_params.get(name, "")
            try:
                number = int(text)
            except ValueError:
                continue  # Litestar's own validation answers 400
            if not SMALLEST <= number <= LARGEST_ID:
                raise ValidationException(f"{name} is out of range")
