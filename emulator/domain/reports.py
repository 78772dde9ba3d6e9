"""The reporting API (`/data/v1`): subscription and revenue reports, and report jobs.

Reports are computed from the store's own orders and subscriptions, on the
store's clock. Building one walks every fact in the date range, so it is a
generator that pauses every `CHUNK` facts: the HTTP layer gives the event loop
back to other requests at each pause, and a large report never holds it long.
An asynchronous request makes a job that is built when it is next read (listed,
read or downloaded), as FastSpring's jobs are done by the time a client polls.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.domain import report_columns as cols
from emulator.domain.errors import ServiceRefusal
from emulator.domain.formats import DAY_MS

if TYPE_CHECKING:
    from emulator.domain.store import Store

CHUNK = 2000
KINDS = {"subscription": "SubscriptionReport", "revenue": "RevenueReport"}
FIELDS = frozenset(
    {"filter", "reportColumns", "groupBy", "pageCount", "pageNumber", "async", "notificationEmails"}
)
FILTER_FIELDS = frozenset(
    {"startDate", "endDate", "syncDate", "countryISO", "productNames", "productPaths", "segments"}
)


class ReportError(ServiceRefusal):
    """A refused report request: Spring's error with one field error, or none."""

    def __init__(
        self,
        message: str,
        field: str | None = None,
        rejected: Any = None,
        code: str = "invalid.field",
    ) -> None:
        super().__init__(message, [] if field is None else [(code, field, message, rejected)])


@dataclass(frozen=True, slots=True)
class ReportRequest:
    kind: str
    start: int
    end: int
    countries: frozenset[str]
    paths: frozenset[str]
    names: frozenset[str]
    segments: frozenset[str]
    columns: tuple[str, ...]
    group_by: tuple[str, ...]
    page_count: int
    page_number: int
    run_async: bool
    emails: tuple[str, ...]


def _day(value: object, name: str, end: bool) -> int:
    if not isinstance(value, str):
        raise ReportError(f"< {name} > field is not valid", f"filter.{name}", value)
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            ms = int(moment.timestamp() * 1000)
            return ms + DAY_MS - 1 if end else ms
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(f"< {name} > field is not valid", f"filter.{name}", value) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ms = int(moment.timestamp() * 1000)
    return ms - ms % DAY_MS + DAY_MS - 1 if end else ms - ms % DAY_MS


def _strings(raw: Mapping[str, Any], name: str, where: str) -> list[str]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReportError(f"< {name} > field is not valid", f"{where}{name}", value)
    return value


def _columns(raw: Mapping[str, Any], name: str, known: frozenset[str]) -> tuple[str, ...]:
    found = []
    for column in _strings(raw, name, ""):
        lowered = column.lower()
        if lowered not in known:
            raise ReportError(f"< {column} > field is not valid", column, column)
        found.append(lowered)
    return tuple(dict.fromkeys(found))


def _count(raw: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = raw.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ReportError(f"< {name} > field is not valid", name, value)
    return value


def parse_request(kind: str, raw: Mapping[str, Any]) -> ReportRequest:
    """Check a report body; names are case-insensitive, dates `YYYY-MM-DD` or ISO."""
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise ReportError(f"< {unknown[0]} > field is not valid", unknown[0], unknown[0])
    flt = raw.get("filter")
    if not isinstance(flt, Mapping):
        raise ReportError("< filter > field is not valid", "filter", flt)
    unknown = sorted(set(flt) - FILTER_FIELDS)
    if unknown:
        raise ReportError(
            f"< {unknown[0]} > field is not valid", f"filter.{unknown[0]}", unknown[0]
        )
    start = _day(flt.get("startDate"), "startDate", end=False)
    end = _day(flt.get("endDate"), "endDate", end=True)
    if end < start:
        raise ReportError(
            "< endDate > must not be before startDate", "filter.endDate", flt.get("endDate")
        )
    known = cols.SUBSCRIPTION_COLUMNS if kind == "subscription" else cols.REVENUE_COLUMNS
    columns = _columns(raw, "reportColumns", known)
    group_by = _columns(raw, "groupBy", known)
    run_async = raw.get("async", False)
    if not isinstance(run_async, bool):
        raise ReportError("< async > field is not valid", "async", run_async)
    return ReportRequest(
        kind,
        start,
        end,
        frozenset(c.upper() for c in _strings(flt, "countryISO", "filter.")),
        frozenset(_strings(flt, "productPaths", "filter.")),
        frozenset(_strings(flt, "productNames", "filter.")),
        frozenset(s.lower() for s in _strings(flt, "segments", "filter.")),
        columns,
        group_by,
        _count(raw, "pageCount", 1000, 1, 1000),
        max(_count(raw, "pageNumber", 1, 0, 10**6), 1),
        run_async,
        tuple(_strings(raw, "notificationEmails", "")),
    )


# --- building ----------------------------------------------------------------------------


def _facts(store: Store, request: ReportRequest, scope: cols.Scope) -> Iterator[dict[str, Any]]:
    accounts = store.accounts
    if request.kind == "revenue":
        for order_id in store.order_index.between(request.start, request.end + 1):
            order = store.orders.get(order_id)
            account = accounts.get(order.account_id)
            for item in order.items:
                sub = store.subscriptions.find(item.subscription) if item.subscription else None
                yield cols.revenue_values(cols.RevenueFact(scope, order, item, account, sub))
        return
    for sub_id in store.subscriptions.all_ids():
        sub = store.subscriptions.get(sub_id)
        if sub.begin > request.end:
            continue
        ends = cols.ended_at(sub)
        if ends is not None and ends < request.start - 30 * DAY_MS:
            continue
        account = accounts.get(sub.account_id)
        first = store.orders.find(sub.initial_order_id)
        yield cols.subscription_values(
            cols.SubscriptionFact(
                scope,
                sub,
                account,
                first.country if first else account.country,
                cols.segment_of(first.tags) if first else None,
            )
        )


def _wanted(request: ReportRequest, row: dict[str, Any]) -> bool:
    if request.countries and (row.get("country_iso") or "") not in request.countries:
        return False
    if (
        request.paths
        and row.get("product_path") not in request.paths
        and row.get("product_name") not in request.paths
    ):
        return False
    if request.names and row.get("product_name") not in request.names:
        return False
    return not request.segments or (row.get("segment") or "").lower() in request.segments


def _metrics(kind: str) -> frozenset[str]:
    return cols.SUBSCRIPTION_METRICS if kind == "subscription" else cols.REVENUE_METRICS


def _default_columns(request: ReportRequest) -> tuple[str, ...]:
    if request.kind == "subscription":
        return (
            "product_name",
            "occurred_date",
            "activations",
            "cancellations",
            "mrr",
            "arr",
            "subscriptions",
            "subscribers",
            "new_subscribers",
            "subscriber_loss",
        )
    return (
        "order_id",
        "transaction_date",
        "product_path",
        "product_units",
        "transaction_currency",
        "transaction_amount",
        "income_in_usd",
    )


def build_rows(
    store: Store, request: ReportRequest, store_name: str
) -> Generator[None, None, list[dict[str, Any]]]:
    """Every row of the report, pausing (yielding) every CHUNK facts."""
    scope = cols.Scope(store.slug, store_name, request.start, request.end, store.clock.now_ms())
    columns = request.columns or _default_columns(request)
    metrics = _metrics(request.kind)
    keys = tuple(dict.fromkeys(request.group_by + tuple(c for c in columns if c not in metrics)))
    grouped = bool(request.group_by)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    plain: list[dict[str, Any]] = []
    for seen, row in enumerate(_facts(store, request, scope), start=1):
        if seen % CHUNK == 0:
            yield None
        if not _wanted(request, row):
            continue
        if not grouped:
            plain.append(row)
            continue
        key = tuple(row.get(k) for k in keys)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {k: row.get(k) for k in keys}
            group["site_id"] = row.get("site_id")
            for name in cols.SUBSCRIPTION_DISTINCT:
                group[name] = set()
        for name, value in row.items():
            if name in cols.SUBSCRIPTION_DISTINCT:
                if value is not None:
                    group[name].add(value)
            elif (name in metrics or name.startswith("_")) and (
                isinstance(value, (int, float)) and not isinstance(value, bool)
            ):
                group[name] = group.get(name, 0) + value
    source = list(groups.values()) if grouped else plain
    return [_finish(request.kind, row, columns, keys if grouped else ()) for row in source]


def _finish(
    kind: str, row: dict[str, Any], columns: tuple[str, ...], keys: tuple[str, ...]
) -> dict[str, Any]:
    values = dict(row)
    for name in cols.SUBSCRIPTION_DISTINCT:
        found = values.get(name)
        values[name] = len(found) if isinstance(found, set) else int(found is not None)
    if kind == "subscription":
        for name, derive in cols.SUBSCRIPTION_DERIVED.items():
            values[name] = derive(values)
    out = {k: values.get(k) for k in keys}
    if kind == "subscription":
        out["site_id"] = values.get("site_id")
    for column in columns:
        value = values.get(column)
        out[column] = round(value, 2) if isinstance(value, float) else value
    return out


def page_of(rows: list[dict[str, Any]], request: ReportRequest) -> list[dict[str, Any]]:
    start = (request.page_number - 1) * request.page_count
    return rows[start : start + request.page_count]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header row; numbers as floats (`1.0`), as FastSpring prints."""
    out = io.StringIO()
    if not rows:
        return ""
    writer = csv.writer(out, lineterminator="\n")
    header = list(rows[0])
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                ""
                if row[k] is None
                else (
                    str(row[k]).lower()
                    if isinstance(row[k], bool)
                    else float(row[k])
                    if isinstance(row[k], (int, float))
                    else row[k]
                )
                for k in header
            ]
        )
    return out.getvalue()


# --- jobs ----------------------------------------------------------------------------


@dataclass(slots=True)
class ReportJob:
    id: str
    name: str
    kind: str
    request: dict[str, Any]
    created: int
    emails: list[str]
    status: str = "PROCESSING"
    complete_date: int | None = None
    csv: str | None = None


@dataclass
class ReportJobs:
    """The store's report jobs, oldest first, and those being built right now."""

    jobs: dict[str, ReportJob] = field(default_factory=dict)
    building: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.jobs)

    def add(self, job: ReportJob) -> None:
        self.jobs[job.id] = job

    def get(self, job_id: str) -> ReportJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise ReportError("Invalid JobId", "jobId", job_id, "invalid")
        return job

    def pending(self) -> list[ReportJob]:
        return [j for j in self.jobs.values() if j.status == "PROCESSING"]

    def export(self) -> list[dict[str, Any]]:
        return [asdict(j) for j in self.jobs.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        self.jobs = {raw["id"]: ReportJob(**raw) for raw in data}


def run_job(
    store: Store, job: ReportJob, store_name: str, finished: Callable[[], int]
) -> Generator[None, None, None]:
    """Build a PROCESSING job's CSV (pausing like `build_rows`), then COMPLETE it."""
    request = parse_request(job.kind, job.request)
    rows = yield from build_rows(store, request, store_name)
    job.csv = to_csv(rows)
    job.status = "COMPLETE"
    job.complete_date = finished()
