"""Load landed channel exports into the raw layer, enforcing the contract.

One file is loaded in one transaction: its earlier rows (if the file was
loaded before) are deleted, the rows that keep the contract are inserted into
``raw.<channel>`` with lineage columns, the rows that break it go to
``ingestion.quarantine`` with a reason, and ``ingestion.files`` records the
outcome. A crash mid-file therefore leaves nothing half-loaded. A file whose
bytes were already loaded (same path, or re-delivered under another path) is
not loaded again, so re-runs and re-deliveries never double count.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.contract import Channel, Column, Contract, detect_format, load_contract
from orchestration.ingest.warehouse import ensure_schema

CSV_DELIMITERS = (",", ";", "\t", "|")
PARSE_ERROR = "_parse_error"
SOURCE_ROW = "_source_row"
RAW_CONTENT = "_raw_content"


class ContractError(ValueError):
    """A landed file cannot be read at all (not a whole-file quarantine case)."""


@dataclass
class FileResult:
    channel: str
    source_file: str
    status: str  # loaded | unchanged | duplicate | failed | removed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    message: str = ""

    def describe(self) -> str:
        text = f"{self.source_file}: {self.status}"
        if self.status == "loaded":
            text += f", {self.rows_loaded} rows loaded, {self.rows_quarantined} quarantined"
        if self.unknown_columns:
            text += f" (unknown columns not loaded: {', '.join(self.unknown_columns)})"
        if self.message:
            text += f" - {self.message}"
        return text


@dataclass
class ParsedFile:
    """A landed file as strings: one column per header name plus row number and raw text."""

    columns: list[str]
    rows: list[dict[str, str | None]]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decode(data: bytes, path: Path) -> str:
    if path.name.lower().endswith(".gz"):
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContractError(
            f"{path.name} is not valid UTF-8"
            f" (byte {error.start}: {data[error.start : error.start + 1]!r});"
            " re-export it as UTF-8"
        ) from error


def _scalar(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _pick_delimiter(header_line: str, known: set[str]) -> str:
    """The delimiter that splits the header into the most contract column names."""
    best, best_hits = ",", -1
    for delimiter in CSV_DELIMITERS:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        hits = sum(name.strip() in known for name in names)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def parse_csv(path: Path, channel: Channel) -> ParsedFile:
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        return ParsedFile(columns=[], rows=[])
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _pick_delimiter(first_line, set(channel.column_names))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    rows: list[dict[str, str | None]] = []
    for number, fields in enumerate(reader, start=1):
        if not fields or fields == [""]:
            continue
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
        row: dict[str, str | None] = {SOURCE_ROW: str(number), RAW_CONTENT: buffer.getvalue()}
        if len(fields) != len(header):
            row[PARSE_ERROR] = f"row has {len(fields)} fields, the header has {len(header)}"
        else:
            row.update(zip(header, fields, strict=True))
        rows.append(row)
    return ParsedFile(columns=header, rows=rows)


def parse_jsonl(path: Path, channel: Channel) -> ParsedFile:
    text = _decode(path.read_bytes(), path)
    columns: dict[str, None] = {}
    rows: list[dict[str, str | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row: dict[str, str | None] = {SOURCE_ROW: str(number), RAW_CONTENT: line}
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            row[PARSE_ERROR] = f"invalid JSON ({error.msg} at column {error.colno})"
        else:
            if isinstance(record, dict):
                for key, value in record.items():
                    columns.setdefault(key, None)
                    row[key] = _scalar(value)
            else:
                row[PARSE_ERROR] = "line is not a JSON object"
        rows.append(row)
    return ParsedFile(columns=list(columns), rows=rows)


def parse_parquet(path: Path, channel: Channel) -> ParsedFile:
    table = duckdb.read_parquet(str(path)).arrow()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    columns = list(table.column_names)
    rows: list[dict[str, str | None]] = []
    for number, record in enumerate(table.to_pylist(), start=1):
        row: dict[str, str | None] = {
            SOURCE_ROW: str(number),
            RAW_CONTENT: json.dumps(record, ensure_ascii=False, default=str),
        }
        for key, value in record.items():
            row[key] = value.isoformat() if isinstance(value, datetime | date) else _scalar(value)
        rows.append(row)
    return ParsedFile(columns=columns, rows=rows)


PARSERS = {"csv": parse_csv, "jsonl": parse_jsonl, "parquet": parse_parquet}


def _typed_expression(column: Column) -> str:
    value = f"nullif(trim(\"{column.name}\"), '')"
    if column.type == "string":
        return value
    if column.type == "timestamp":
        return f"timezone('UTC', try_cast({value} as timestamptz))"
    return f"try_cast({value} as {column.duckdb_type})"


def _reason_expressions(column: Column, present: bool) -> list[str]:
    name = column.name
    value = f"nullif(trim(\"{name}\"), '')"
    typed = _typed_expression(column)
    reasons = []
    if column.required:
        detail = "" if present else " (column absent from the file)"
        reasons.append(f"case when {value} is null then 'missing required {name}{detail}' end")
    if column.type != "string":
        reasons.append(
            f"case when {value} is not null and {typed} is null"
            f" then '{name}: cannot read ''' || left({value}, 40) || ''' as {column.type}' end"
        )
    if column.accepted_values:
        allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in column.accepted_values)
        reasons.append(
            f"case when {value} is not null and {value} not in ({allowed})"
            f" then '{name}: ''' || left({value}, 40) || ''' is not one of"
            f" {allowed.replace(chr(39), '')}' end"
        )
    if column.min is not None:
        reasons.append(
            f"case when {typed} < {column.min}"
            f" then '{name}: ' || {value} || ' is below {column.min:g}' end"
        )
    if column.max is not None:
        reasons.append(
            f"case when {typed} > {column.max}"
            f" then '{name}: ' || {value} || ' is above {column.max:g}' end"
        )
    return reasons


def _incoming_table(parsed: ParsedFile, channel: Channel) -> pa.Table:
    names = [*channel.column_names, SOURCE_ROW, RAW_CONTENT, PARSE_ERROR]
    data = {name: [row.get(name) for row in parsed.rows] for name in names}
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in data.items()})


def _load_rows(
    con: duckdb.DuckDBPyConnection,
    channel: Channel,
    parsed: ParsedFile,
    *,
    source_file: str,
    sha256: str,
    delivery_date: date,
    loaded_at: datetime,
) -> tuple[int, int]:
    """Insert good rows into raw.<channel>, bad ones into quarantine.

    Returns (rows loaded, rows quarantined).
    """
    incoming = _incoming_table(parsed, channel)  # noqa: F841 - scanned by DuckDB below
    present = set(parsed.columns)
    reasons = [r for c in channel.columns for r in _reason_expressions(c, c.name in present)]
    reason_sql = f"coalesce({PARSE_ERROR}, nullif(concat_ws('; ', {', '.join(reasons)}), ''))"
    con.execute(
        "create or replace temp table _validated as"
        f" select *, {reason_sql} as _reason from incoming"
    )
    typed = ", ".join(f"{_typed_expression(c)}" for c in channel.columns)
    targets = ", ".join(
        [
            *channel.column_names,
            "_source_file",
            "_source_row",
            "_file_sha256",
            "_delivery_date",
            "_loaded_at",
        ]
    )
    params = [source_file, sha256, delivery_date, loaded_at]
    con.execute(
        f"insert into raw.{channel.name} ({targets})"
        f" select {typed}, ?, cast({SOURCE_ROW} as bigint), ?, ?, ?"
        f" from _validated where _reason is null",
        params,
    )
    con.execute(
        "insert into ingestion.quarantine (channel, source_file, file_sha256, source_row,"
        " raw_content, reason, quarantined_at)"
        f" select ?, ?, ?, cast({SOURCE_ROW} as bigint), {RAW_CONTENT}, _reason, ?"
        " from _validated where _reason is not null",
        [channel.name, source_file, sha256, loaded_at],
    )
    loaded, quarantined = con.execute(
        "select count(*) filter (where _reason is null),"
        " count(*) filter (where _reason is not null)"
        " from _validated"
    ).fetchone()
    con.execute("drop table _validated")
    return int(loaded), int(quarantined)


def _forget_file(
    con: duckdb.DuckDBPyConnection, channel: str, source_file: str, now: datetime, why: str
) -> None:
    con.execute(f"delete from raw.{channel} where _source_file = ?", [source_file])
    con.execute(
        "update ingestion.quarantine set resolved_at = ?, resolution = ?"
        " where channel = ? and source_file = ? and resolved_at is null",
        [now, why, channel, source_file],
    )


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    landing_dir: Path,
    channel: Channel,
    delivery_date: date,
    loaded_at: datetime | None = None,
) -> FileResult:
    """Load one landed file in one transaction (see the module docstring)."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    source_file = path.relative_to(landing_dir).as_posix()
    sha256 = file_sha256(path)
    previous = con.execute(
        "select file_sha256, status from ingestion.files where channel = ? and source_file = ?",
        [channel.name, source_file],
    ).fetchone()
    if previous and previous[0] == sha256 and previous[1] != "removed":
        return FileResult(channel.name, source_file, "unchanged")
    twin = con.execute(
        "select source_file from ingestion.files where channel = ? and file_sha256 = ?"
        " and status = 'loaded' and source_file <> ? order by loaded_at, source_file limit 1",
        [channel.name, sha256, source_file],
    ).fetchone()

    file_format = detect_format(path)
    result = FileResult(channel.name, source_file, "loaded")
    parsed: ParsedFile | None = None
    if twin:
        result.status, result.duplicate_of = "duplicate", twin[0]
        result.message = f"identical to {twin[0]}, already loaded: not loaded again"
    elif file_format is None:
        result.status = "failed"
        result.message = f"unsupported file type {path.name!r}; use .csv, .jsonl or .parquet"
    else:
        try:
            parsed = PARSERS[file_format](path, channel)
        except (ContractError, duckdb.Error, csv.Error) as error:
            result.status, result.message = "failed", str(error)
        else:
            result.rows_read = len(parsed.rows)
            known = set(channel.column_names)
            result.unknown_columns = [c for c in parsed.columns if c not in known]
            if not parsed.rows:
                result.message = "empty file: no rows"

    con.execute("begin transaction")
    try:
        if previous:
            _forget_file(con, channel.name, source_file, loaded_at, "file re-delivered")
        if parsed is not None and parsed.rows:
            result.rows_loaded, result.rows_quarantined = _load_rows(
                con,
                channel,
                parsed,
                source_file=source_file,
                sha256=sha256,
                delivery_date=delivery_date,
                loaded_at=loaded_at,
            )
        if result.status == "failed":
            # The whole file is unreadable: keep it in quarantine as one entry.
            con.execute(
                "insert into ingestion.quarantine (channel, source_file, file_sha256, source_row,"
                " raw_content, reason, quarantined_at) values (?, ?, ?, null, null, ?, ?)",
                [channel.name, source_file, sha256, result.message, loaded_at],
            )
        con.execute(
            "insert or replace into ingestion.files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                channel.name,
                source_file,
                delivery_date,
                sha256,
                file_format,
                result.status,
                result.duplicate_of,
                result.rows_read,
                result.rows_loaded,
                result.rows_quarantined,
                ", ".join(result.unknown_columns) or None,
                result.message or None,
                loaded_at,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def partition_files(landing_dir: Path, channel: str, delivery_date: date) -> list[Path]:
    folder = landing_dir / channel / delivery_date.isoformat()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    channel_name: str,
    delivery_dates: list[date],
    *,
    contract: Contract | None = None,
) -> list[FileResult]:
    """Load every file of one channel for each delivery day (see load_partition)."""
    contract = contract or load_contract()
    ensure_schema(con, contract)
    results: list[FileResult] = []
    for delivery_date in delivery_dates:
        results += load_partition(
            con, landing_dir, channel_name, delivery_date, contract=contract, ensure=False
        )
    return results


def load_partition(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    channel_name: str,
    delivery_date: date,
    *,
    contract: Contract | None = None,
    ensure: bool = True,
) -> list[FileResult]:
    """Load every file of one channel and delivery day; forget files that disappeared."""
    contract = contract or load_contract()
    channel = contract[channel_name]
    if ensure:
        ensure_schema(con, contract)
    now = datetime.now(UTC).replace(tzinfo=None)
    files = partition_files(landing_dir, channel_name, delivery_date)
    results = [
        load_file(
            con,
            path,
            landing_dir=landing_dir,
            channel=channel,
            delivery_date=delivery_date,
            loaded_at=now,
        )
        for path in files
    ]
    present = {path.relative_to(landing_dir).as_posix() for path in files}
    known = con.execute(
        "select source_file from ingestion.files where channel = ? and delivery_date = ?"
        " and status <> 'removed'",
        [channel_name, delivery_date],
    ).fetchall()
    for (source_file,) in known:
        if source_file not in present:
            con.execute("begin transaction")
            try:
                _forget_file(con, channel_name, source_file, now, "file removed from landing")
                con.execute(
                    "update ingestion.files set status = 'removed', rows_loaded = 0, loaded_at = ?"
                    " where channel = ? and source_file = ?",
                    [now, channel_name, source_file],
                )
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            results.append(FileResult(channel_name, source_file, "removed"))
    return results


def landed_dates(landing_dir: Path, channels: list[str] | None = None) -> list[date]:
    """Every delivery date that has a folder under any (or the given) channel."""
    dates: set[date] = set()
    if channels is None:
        channels = (
            [p.name for p in landing_dir.iterdir() if p.is_dir()] if landing_dir.is_dir() else []
        )
    names = channels
    for name in names:
        folder = landing_dir / name
        if not folder.is_dir():
            continue
        for sub in folder.iterdir():
            try:
                dates.add(date.fromisoformat(sub.name))
            except ValueError:
                continue
    return sorted(dates)
