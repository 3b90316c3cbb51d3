"""SQL pieces the dashboards need that SQLite and PostgreSQL spell differently."""

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement):  # noqa: N801  (used like a SQL function)
    """Days from the first date to the second, as a number: ``days_between(start, end)``."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM (CAST({compiler.process(end, **kw)} AS timestamp) - "
        f"CAST({compiler.process(start, **kw)} AS timestamp))) / 86400.0)"
    )
