"""SQL pieces the dashboards need that SQLite and PostgreSQL spell differently."""

from sqlalchemy import Date, DateTime, Float
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
    end_sql, start_sql = compiler.process(end, **kw), compiler.process(start, **kw)
    if _is_date(start) and _is_date(end):
        # Dates subtract to whole days, an integer.
        return f"CAST(({end_sql} - {start_sql}) AS DOUBLE PRECISION)"
    # In floating point: EXTRACT gives NUMERIC, several times dearer to divide and compare.
    return (
        f"(date_part('epoch', CAST({end_sql} AS timestamp) - CAST({start_sql} AS timestamp))"
        " / 86400)"
    )


def _is_date(expression) -> bool:
    return isinstance(expression.type, Date) and not isinstance(expression.type, DateTime)
