"""Load landed channel exports into the raw layer, enforcing the contract.

One file is loaded in one transaction: its earlier rows (if the file was
loaded before) are deleted, the rows that keep the contract are inserted into
``raw.<channel>`` with lineage columns, the rows that break it go to
``ingestion.quarantine`` with a reason, and ``ingestion.files`` records the
outcome. A crash mid-file therefore leaves nothing half-loaded. New Parquet files
of one channel and layout (a backfill's days) share one transaction and one
set-based load (``load_partitions``): all of them are loaded, or none. A file whose
bytes were already loaded (same path, or re-delivered under another path) is
not loaded again, so re-runs and re-deliveries never double count.

Every data row of a readable file ends up in raw or in quarantine, never both
and never neither (rows_loaded + rows_quarantined == rows_read). Rows are
judged one by one: a line that is not UTF-8, has the wrong number of fields or
is not a JSON object is quarantined on its own and the rest of the file loads;
a timestamp or date later than the load time + 1 day, or before 2000-01-01, is
quarantined as implausible. Only a file that cannot be read at all (UTF-16,
broken gzip, unsupported type, unreadable Parquet) fails whole, as one
quarantine entry with no row number.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.contract import Channel, Column, Contract, detect_format, load_contract
from orchestration.ingest.decoding import (
    ContractError,
    DecodedText,
    check_not_utf16,
    decode_lenient,
    describe_bad_bytes,
    encoded_length,
    has_surrogates,
    printable,
    read_landed_bytes,
    undecodable_offsets,
)
from orchestration.ingest.warehouse import ensure_schema, sql_string

__all__ = ["ContractError", "FileResult", "load_file", "load_partition", "load_partitions"]

CSV_DELIMITERS = (",", ";", "\t", "|")
BARE_CR = re.compile(r"\r(?!\n)")
FIRST_LINE = re.compile(r"[^\r\n]*")
PARSE_ERROR = "_parse_error"
SOURCE_ROW = "_source_row"
RAW_CONTENT = "_raw_content"
# Timestamps and dates outside [EARLIEST, load time + FUTURE_TOLERANCE] are quarantined.
EARLIEST = date(2000, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)

# Python's csv module rejects fields over 131072 characters by default; a landed file is
# read into memory whole anyway, so a long field (a 1 MB review text) is read like any other.
try:
    csv.field_size_limit(sys.maxsize)
except OverflowError:  # a C long is 32 bits on some platforms
    csv.field_size_limit(2**31 - 1)


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
    notes: list[str] = field(default_factory=list)  # file-level findings for FileResult.message


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


class _TrackedLines:
    r"""The physical lines of a text for csv.reader, remembering what each record consumed.

    ``record`` holds the lines read since it was last reset (the record as delivered) and
    ``end`` the byte offset after the last line read (tracked only when the file has
    undecodable bytes, to tell which records they fall in).

    Lines end at \n or \r\n. A bare \r inside a line is data (a writer that ends lines
    with \n does not quote it, and Python's csv module would end the record there,
    splitting one row in two): it is hidden behind ``cr`` (a character absent from the
    text) while csv reads and put back by ``restore``. A file without any \n keeps
    bare \r as its line end (classic Mac).
    """

    def __init__(self, decoded: DecodedText) -> None:
        text = decoded.text
        self.cr: str | None = None
        if "\n" in text and BARE_CR.search(text):
            self.cr = next(c for c in map(chr, range(0xE000, 0xF900)) if c not in text)
            text = BARE_CR.sub(self.cr, text)
        self._lines = io.StringIO(text, newline="")
        self._track = bool(decoded.bad_bytes)
        self.end = decoded.offset
        self.record: list[str] = []

    def restore(self, value: str) -> str:
        return value.replace(self.cr, "\r") if self.cr else value

    def __iter__(self) -> _TrackedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        if self._track:
            self.end += encoded_length(self.restore(line))
        return line

    def take_record(self) -> str:
        text = "".join(self.record).rstrip("\r\n")
        self.record = []
        return printable(self.restore(text))


def _header_notes(header: list[str], channel: Channel) -> list[str]:
    known = set(channel.column_names)
    notes = []
    if header and not known & set(header):
        first = ", ".join(header[:5])[:120]
        notes.append(
            f"the header names none of the contract's columns (is the header row missing?"
            f" it reads: {first})"
        )
    counts = Counter(header)
    duplicates = sorted(name for name, n in counts.items() if n > 1 and name in known)
    if duplicates:
        notes.append(
            f"duplicate column(s) in the header: {', '.join(duplicates)} (the last one is read)"
        )
    return notes


def parse_csv(path: Path, channel: Channel) -> ParsedFile:
    """Comma, semicolon, tab or pipe separated text with a header row.

    Rows are numbered from 1 after the header (blank lines keep their number and are
    skipped). A row holding bytes that are not UTF-8 is quarantined on its own; a row
    with the wrong number of fields too; only contract columns are kept.
    """
    data = read_landed_bytes(path)
    decoded = decode_lenient(data, path)
    text = decoded.text
    if not text.strip():
        return ParsedFile(columns=[], rows=[])
    first_line = FIRST_LINE.match(text).group()
    known = set(channel.column_names)
    delimiter = _pick_delimiter(first_line, known)
    lines = _TrackedLines(decoded)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [printable(lines.restore(name).strip()) for name in next(reader)]
    except csv.Error as error:
        raise ContractError(f"cannot read the header row of {path.name} ({error})") from error
    lines.take_record()
    notes = _header_notes(header, channel)
    if decoded.bad_bytes and (bad := decoded.bad_between(decoded.offset, lines.end)):
        notes.append(f"the header row is not valid UTF-8 ({describe_bad_bytes(data, bad)})")
    rows: list[dict[str, str | None]] = []
    number = 0
    while True:
        start = lines.end
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            fields, problem = None, f"unreadable CSV row ({error})"
        else:
            problem = None
        number += 1
        raw_content = lines.take_record()
        if fields is not None and (not fields or fields == [""]):
            continue
        row: dict[str, str | None] = {}
        if decoded.bad_bytes and (bad := decoded.bad_between(start, lines.end)):
            problem = f"not valid UTF-8 ({describe_bad_bytes(data, bad)}); re-export as UTF-8"
        elif problem is None and len(fields) != len(header):
            problem = f"row has {len(fields)} fields, the header has {len(header)}"
        elif problem is None:
            row = {
                name: lines.restore(value)
                for name, value in zip(header, fields, strict=True)
                if name in known
            }
        row[SOURCE_ROW] = str(number)
        row[RAW_CONTENT] = raw_content
        row[PARSE_ERROR] = problem
        rows.append(row)
    return ParsedFile(columns=header, rows=rows, notes=notes)


def _json_values(record: dict, known: set[str]) -> tuple[dict[str, str | None], str | None]:
    """The contract columns of one JSON object as strings, or the reason they cannot be."""
    try:
        values = {key: _scalar(value) for key, value in record.items() if key in known}
    except (ValueError, RecursionError) as error:
        return {}, f"unreadable JSON value ({error})"
    for key, value in values.items():
        if value is not None and has_surrogates(value):
            return {}, (
                f"{key}: holds an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape),"
                " which is not text; re-export as UTF-8"
            )
    return values, None


def parse_jsonl(path: Path, channel: Channel) -> ParsedFile:
    """One JSON object per line; rows are numbered by line (blank lines are skipped).

    Lines are split on \\n only (a JSON string may hold U+2028 and other separators),
    and decoded one by one: a line that is not UTF-8 is quarantined on its own.
    """
    data = read_landed_bytes(path)
    check_not_utf16(data, path)
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    known = set(channel.column_names)
    columns: dict[str, None] = {}
    rows: list[dict[str, str | None]] = []
    position = offset
    for number, raw_line in enumerate(data[offset:].split(b"\n"), start=1):
        line_start, position = position, position + len(raw_line) + 1
        raw_line = raw_line.removesuffix(b"\r")
        row: dict[str, str | None] = {}
        problem = None
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError:
            line = printable(raw_line.decode("utf-8", "surrogateescape"))
            bad = undecodable_offsets(raw_line, base=line_start)
            problem = f"not valid UTF-8 ({describe_bad_bytes(data, bad)}); re-export as UTF-8"
        else:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problem = f"invalid JSON ({error.msg} at column {error.colno})"
            except (ValueError, RecursionError) as error:
                problem = f"invalid JSON ({error or 'nested too deeply'})"
            else:
                if not isinstance(record, dict):
                    problem = "line is not a JSON object"
                else:
                    for key in record:
                        columns.setdefault(printable(key), None)
                    row, problem = _json_values(record, known)
        row[SOURCE_ROW] = str(number)
        row[RAW_CONTENT] = line
        row[PARSE_ERROR] = problem
        rows.append(row)
    return ParsedFile(columns=list(columns), rows=rows)


def parse_parquet(path: Path, channel: Channel) -> ParsedFile:
    try:
        table = duckdb.read_parquet(str(path)).arrow()
        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
    except (duckdb.Error, pa.ArrowException) as error:
        detail = str(error).replace(str(path), path.name)
        raise ContractError(f"{path.name} is not a readable Parquet file ({detail})") from error
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


# Parquet column types read as they are (no detour through text) for a contract type:
# the values cannot fail to read, so only the required, range and plausibility rules
# apply. Any other Parquet type is read as text, like CSV and JSON Lines.
NATIVE_PARQUET_TYPES: dict[str, tuple[str, ...]] = {
    "integer": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "date": ("DATE",),
    "timestamp": ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_MS", "TIMESTAMP_S"),
    "boolean": ("BOOLEAN",),
}
NATIVE_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")


def native_parquet_type(column: Column, parquet_type: str) -> str | None:
    """The Parquet type when its values can be taken as they are for the contract type."""
    parquet_type = parquet_type.upper().replace(", ", ",")
    if parquet_type in NATIVE_PARQUET_TYPES.get(column.type, ()):
        return parquet_type
    if column.type == "decimal" and (match := NATIVE_DECIMAL.match(parquet_type)):
        # Fits decimal(18, 4) without rounding or overflow.
        precision, scale = int(match.group(1)), int(match.group(2))
        if scale <= 4 and precision - scale <= 14:
            return parquet_type
    return None


def _native_typed(column: Column, native: str) -> str:
    name = f'"{column.name}"'
    if native == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {name})"
    return f"cast({name} as {column.duckdb_type})"


def _typed_expression(column: Column, native: str | None = None) -> str:
    if native is not None:
        return _native_typed(column, native)
    value = f"nullif(trim(\"{column.name}\"), '')"
    if column.type == "string":
        return value
    if column.type == "timestamp":
        return f"timezone('UTC', try_cast({value} as timestamptz))"
    if column.type == "integer":
        # DuckDB rounds '1.5' to 2 when casting to an integer: a fraction is not an integer.
        as_double = f"try_cast({value} as double)"
        return f"case when {as_double} = trunc({as_double}) then try_cast({value} as bigint) end"
    return f"try_cast({value} as {column.duckdb_type})"


def _plausible_range(column: Column, loaded_at: datetime) -> tuple[str, str, str] | None:
    """(earliest, latest, latest as text) SQL literals for a timestamp or date column."""
    latest = loaded_at + FUTURE_TOLERANCE
    if column.type == "timestamp":
        text = latest.strftime("%Y-%m-%d %H:%M:%S")
        return f"timestamp '{EARLIEST.isoformat()}'", f"timestamp '{text}'", text
    if column.type == "date":
        text = latest.date().isoformat()
        return f"date '{EARLIEST.isoformat()}'", f"date '{text}'", text
    return None


def _reason_expressions(
    column: Column, present: bool, loaded_at: datetime, native: str | None = None
) -> list[str]:
    """SQL expressions giving each reason a row breaks the contract on this column (or
    null). `native`: the column is a typed Parquet column (see NATIVE_PARQUET_TYPES)."""
    name = column.name
    if native is None:
        value = f"nullif(trim(\"{name}\"), '')"
        shown = f"left({value}, 40)"
    else:
        # A typed value is never empty text and always reads as its type.
        value = f'"{name}"'
        shown = f"left(cast({value} as varchar), 40)"
    typed = _typed_expression(column, native)
    reasons = []
    if column.required:
        detail = "" if present else " (column absent from the file)"
        reasons.append(f"case when {value} is null then 'missing required {name}{detail}' end")
    if column.type != "string" and native is None:
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
            f" then '{name}: ' || {shown} || ' is below {column.min:g}' end"
        )
    if column.max is not None:
        reasons.append(
            f"case when {typed} > {column.max}"
            f" then '{name}: ' || {shown} || ' is above {column.max:g}' end"
        )
    plausible = _plausible_range(column, loaded_at)
    if plausible:
        earliest, latest, latest_text = plausible
        reasons.append(
            f"case when {typed} > {latest} then '{name}: ' || {shown} || ' is in the future"
            f" (later than the load time + {FUTURE_TOLERANCE.days} day, {latest_text} UTC)' end"
        )
        reasons.append(
            f"case when {typed} < {earliest}"
            f" then '{name}: ' || {shown} || ' is before {EARLIEST.isoformat()}' end"
        )
    return reasons


def _incoming_table(parsed: ParsedFile, channel: Channel) -> pa.Table:
    names = [*channel.column_names, SOURCE_ROW, RAW_CONTENT, PARSE_ERROR]
    data = {name: [row.get(name) for row in parsed.rows] for name in names}
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in data.items()})


def _raw_insert_columns(channel: Channel) -> str:
    """The columns a load inserts into raw.<channel>: the contract's, then lineage."""
    lineage = ["_source_file", "_source_row", "_file_sha256", "_delivery_date", "_loaded_at"]
    return ", ".join([*channel.column_names, *lineage])


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
    reasons = [
        reason
        for column in channel.columns
        for reason in _reason_expressions(column, column.name in present, loaded_at)
    ]
    reason_sql = f"coalesce({PARSE_ERROR}, nullif(concat_ws('; ', {', '.join(reasons)}), ''))"
    con.execute(
        "create or replace temp table _validated as"
        f" select *, {reason_sql} as _reason from incoming"
    )
    typed = ", ".join(f"{_typed_expression(c)}" for c in channel.columns)
    targets = _raw_insert_columns(channel)
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


@dataclass
class ParquetFile:
    """A Parquet file read in place by DuckDB: its columns, their types and row count."""

    path: Path
    types: dict[str, str]
    n_rows: int

    @property
    def columns(self) -> list[str]:
        return list(self.types)


NESTED_TYPE = re.compile(r"STRUCT|MAP|\[\]|UNION", re.IGNORECASE)


def _sql_path(path: Path) -> str:
    return sql_string(str(path))


def inspect_parquet(con: duckdb.DuckDBPyConnection, path: Path, channel: Channel) -> ParquetFile:
    """Columns, types and row count of a Parquet file, or ContractError if unreadable."""
    try:
        described = con.execute(
            f"select column_name, column_type from (describe select * from read_parquet("
            f"{_sql_path(path)}))"
        ).fetchall()
        (n_rows,) = con.execute(
            f"select coalesce(sum(num_rows), 0) from parquet_file_metadata({_sql_path(path)})"
        ).fetchone()
    except duckdb.Error as error:
        detail = str(error).replace(str(path), path.name)
        raise ContractError(f"{path.name} is not a readable Parquet file ({detail})") from error
    return ParquetFile(path=path, types=dict(described), n_rows=int(n_rows))


# Parquet files inspected together in one pass of inspect_parquet_files at most.
INSPECT_CHUNK = 2000


def inspect_parquet_files(
    con: duckdb.DuckDBPyConnection, paths: list[Path]
) -> dict[Path, ParquetFile]:
    """`inspect_parquet` for many files at once: row counts and schemas from one read of
    their footers, DuckDB's column types described once per distinct schema (a year's
    backfill is thousands of files of a handful of layouts; two queries per file were
    most of its load time). A footer that cannot be read, or a file the footers do not
    name, is left out: `inspect_parquet` judges it alone."""
    found: dict[Path, ParquetFile] = {}
    for start in range(0, len(paths), INSPECT_CHUNK):
        found.update(_inspect_chunk(con, paths[start : start + INSPECT_CHUNK]))
    return found


def _inspect_chunk(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> dict[Path, ParquetFile]:
    if not paths:
        return {}
    listed = "[" + ", ".join(_sql_path(p) for p in paths) + "]"
    try:
        n_rows = dict(
            con.execute(
                "select file_name, coalesce(sum(num_rows), 0)"
                f" from parquet_file_metadata({listed}) group by file_name"
            ).fetchall()
        )
        schemas: dict[str, list[tuple]] = {}
        for row in con.execute(
            "select file_name, name, type, type_length, repetition_type, num_children,"
            " converted_type, scale, precision, field_id, logical_type"
            f" from parquet_schema({listed})"
        ).fetchall():
            schemas.setdefault(row[0], []).append(tuple(row[1:]))
        metadata: dict[str, list[tuple]] = {}
        for row in con.execute(
            f"select file_name, key, value from parquet_kv_metadata({listed})"
        ).fetchall():
            metadata.setdefault(row[0], []).append(tuple(row[1:]))
    except duckdb.Error:
        return {}
    types_of: dict[tuple, dict[str, str]] = {}
    found: dict[Path, ParquetFile] = {}
    for path in paths:
        name = str(path)
        if name not in n_rows or name not in schemas:
            continue
        layout = (tuple(schemas[name]), tuple(sorted(metadata.get(name, []))))
        if layout not in types_of:
            try:
                types_of[layout] = dict(
                    con.execute(
                        "select column_name, column_type from (describe select * from"
                        f" read_parquet({_sql_path(path)}))"
                    ).fetchall()
                )
            except duckdb.Error:
                continue
        found[path] = ParquetFile(path=path, types=types_of[layout], n_rows=int(n_rows[name]))
    return found


def reads_in_place(parquet: ParquetFile, channel: Channel) -> bool:
    """Whether DuckDB can validate the file in place: no contract column holds a nested
    value (those are rendered as JSON text by the row-by-row reader)."""
    present = [parquet.types[c.name] for c in channel.columns if c.name in parquet.types]
    return not any(NESTED_TYPE.search(type_) for type_ in present)


def _load_parquet_files(
    con: duckdb.DuckDBPyConnection, channel: Channel, plans: list[_PlannedFile]
) -> None:
    """Insert good rows of Parquet files into raw.<channel>, bad ones into quarantine,
    without leaving DuckDB (the set-based twin of `_load_rows`, with the same rules),
    and set each plan's row counts.

    The files share one layout (the same columns of the same types, in one order) and
    one load time, so one `read_parquet` over all of them validates every row; each
    row keeps its own file's lineage. A column of a native type (NATIVE_PARQUET_TYPES)
    is taken as it is; any other is read as text exactly as CSV values are. The row as
    delivered (`raw_content`) is the row's JSON, built only for quarantined rows.
    """
    first = plans[0].parquet
    loaded_at = plans[0].loaded_at
    if any(p.parquet.types != first.types or p.loaded_at != loaded_at for p in plans):
        raise ValueError("one Parquet load takes files of one layout and one load time")
    natives: dict[str, str | None] = {}
    selected = []
    for column in channel.columns:
        if column.name not in first.types:
            natives[column.name] = None
            selected.append(f'cast(null as varchar) as "{column.name}"')
            continue
        native = native_parquet_type(column, first.types[column.name])
        natives[column.name] = native
        cast = f'"{column.name}"' if native else f'cast("{column.name}" as varchar)'
        selected.append(f'{cast} as "{column.name}"')
    reasons = [
        reason
        for column in channel.columns
        for reason in _reason_expressions(
            column, column.name in first.types, loaded_at, natives[column.name]
        )
    ]
    reason_sql = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')"
    typed = ", ".join(
        f'{_typed_expression(c, natives[c.name])} as "{c.name}"' for c in channel.columns
    )
    paths = ", ".join(_sql_path(p.parquet.path) for p in plans)
    source = f"read_parquet([{paths}], file_row_number = true)"
    con.execute(
        "create or replace temp table _load_files (_filename varchar, _file varchar,"
        " _sha256 varchar, _delivery_date date)"
    )
    con.executemany(
        "insert into _load_files values (?, ?, ?, ?)",
        [[str(p.parquet.path), p.result.source_file, p.sha256, p.delivery_date] for p in plans],
    )
    con.execute(
        "create or replace temp table _validated as"
        f" select {typed}, {SOURCE_ROW}, {reason_sql} as _reason, f.*"
        f" from (select {', '.join(selected)}, file_row_number + 1 as {SOURCE_ROW},"
        f" filename as _read_from from {source}) as delivered"
        " inner join _load_files as f on f._filename = delivered._read_from"
    )
    targets = _raw_insert_columns(channel)
    con.execute(
        f"insert into raw.{channel.name} ({targets})"
        f" select {', '.join(channel.column_names)}, _file, {SOURCE_ROW}, _sha256,"
        " _delivery_date, ? from _validated where _reason is null",
        [loaded_at],
    )
    counts = {
        file: (int(loaded), int(quarantined))
        for file, loaded, quarantined in con.execute(
            "select _file, count(*) filter (where _reason is null),"
            " count(*) filter (where _reason is not null) from _validated group by _file"
        ).fetchall()
    }
    # Every row read must be accounted for: a file the reader named differently
    # would otherwise lose its rows in the join.
    read = sum(loaded + quarantined for loaded, quarantined in counts.values())
    expected = sum(p.parquet.n_rows for p in plans)
    if read != expected:
        raise RuntimeError(
            f"{channel.name}: read {read} rows of {expected} from {len(plans)} Parquet files"
        )
    if any(quarantined for _, quarantined in counts.values()):
        row_json = "to_json(struct_pack({}))".format(
            ", ".join(f'"{name}" := delivered."{name}"' for name in first.columns)
        )
        con.execute(
            "insert into ingestion.quarantine (channel, source_file, file_sha256, source_row,"
            " raw_content, reason, quarantined_at)"
            f" select ?, v._file, v._sha256, v.{SOURCE_ROW}, cast({row_json} as varchar),"
            " v._reason, ? from _validated as v inner join (select *, file_row_number + 1"
            f" as _n, filename as _read_from from {source}) as delivered"
            f" on delivered._read_from = v._filename and delivered._n = v.{SOURCE_ROW}"
            " where v._reason is not null",
            [channel.name, loaded_at],
        )
    con.execute("drop table _validated")
    con.execute("drop table _load_files")
    for plan in plans:
        plan.result.rows_loaded, plan.result.rows_quarantined = counts.get(
            plan.result.source_file, (0, 0)
        )


def _forget_file(
    con: duckdb.DuckDBPyConnection, channel: str, source_file: str, now: datetime, why: str
) -> None:
    con.execute(f"delete from raw.{channel} where _source_file = ?", [source_file])
    con.execute(
        "update ingestion.quarantine set resolved_at = ?, resolution = ?"
        " where channel = ? and source_file = ? and resolved_at is null",
        [now, why, channel, source_file],
    )


def _file_findings(parsed: ParsedFile | ParquetFile, channel: Channel) -> tuple[list[str], str]:
    """Unknown columns (schema drift) and the file-level message for a parsed file."""
    known = set(channel.column_names)
    unknown = [c for c in parsed.columns if c not in known]
    if isinstance(parsed, ParquetFile):
        notes, n_rows = [], parsed.n_rows
    else:
        notes, n_rows = list(parsed.notes), len(parsed.rows)
    if not parsed.columns and not n_rows:
        notes.append("empty file: no rows")
    elif not n_rows:
        notes.append("no data rows (header only)")
    else:
        missing = [c for c in channel.required_columns if c not in parsed.columns]
        if missing:
            notes.append(
                f"missing required column(s): {', '.join(missing)} (all {n_rows} rows quarantined)"
            )
    return unknown, "; ".join(notes)


def _source_name(path: Path, landing_dir: Path) -> str:
    """The path relative to the landing folder (undecodable bytes in names as \\xNN)."""
    return printable(path.relative_to(landing_dir).as_posix())


@dataclass
class _PlannedFile:
    """One landed file, read and judged, before anything is written."""

    result: FileResult
    sha256: str
    delivery_date: date
    loaded_at: datetime
    file_format: str | None
    previous: bool
    parsed: ParsedFile | None = None
    parquet: ParquetFile | None = None

    @property
    def batchable(self) -> bool:
        """A new Parquet file DuckDB validates in place, loadable with others of its
        layout in one statement (its own columns do not hide the reader's)."""
        return (
            self.result.status == "loaded"
            and not self.previous
            and self.parquet is not None
            and self.parquet.n_rows > 0
            and not {"filename", "file_row_number"} & set(self.parquet.types)
        )


@dataclass
class _LedgerEntry:
    sha256: str
    status: str
    delivery_date: date
    loaded_at: datetime


class _Ledger:
    """One channel's rows of ingestion.files, read once per load and kept in step with
    what the load commits (two lookups per file were a third of a backfill's time).
    The warehouse has one writer, so nothing else changes the ledger meanwhile."""

    def __init__(self, con: duckdb.DuckDBPyConnection, channel: str) -> None:
        self.files = {
            source_file: _LedgerEntry(sha256, status, delivery_date, loaded_at)
            for source_file, sha256, status, delivery_date, loaded_at in con.execute(
                "select source_file, file_sha256, status, delivery_date, loaded_at"
                " from ingestion.files where channel = ?",
                [channel],
            ).fetchall()
        }
        self._by_sha: dict[str, set[str]] = {}
        for source_file, entry in self.files.items():
            self._by_sha.setdefault(entry.sha256, set()).add(source_file)

    def previous(self, source_file: str) -> _LedgerEntry | None:
        return self.files.get(source_file)

    def unchanged(self, source_file: str, sha256: str) -> bool:
        """The file was loaded (or judged) with these bytes and is still in place."""
        entry = self.files.get(source_file)
        return entry is not None and entry.sha256 == sha256 and entry.status != "removed"

    def twin(self, sha256: str, source_file: str) -> str | None:
        """The file first loaded with these bytes under another name, if any."""
        loaded = [
            (self.files[other].loaded_at, other)
            for other in self._by_sha.get(sha256, ())
            if other != source_file and self.files[other].status == "loaded"
        ]
        return min(loaded)[1] if loaded else None

    def on_day(self, delivery_date: date) -> list[str]:
        """The files of a delivery day not marked removed."""
        return sorted(
            source_file
            for source_file, entry in self.files.items()
            if entry.delivery_date == delivery_date and entry.status != "removed"
        )

    def set(self, source_file: str, entry: _LedgerEntry) -> None:
        if (old := self.files.get(source_file)) is not None:
            self._by_sha[old.sha256].discard(source_file)
        self.files[source_file] = entry
        self._by_sha.setdefault(entry.sha256, set()).add(source_file)

    def record(self, plans: list[_PlannedFile]) -> None:
        """Plans written by a committed `_write_files`."""
        for plan in plans:
            self.set(
                plan.result.source_file,
                _LedgerEntry(plan.sha256, plan.result.status, plan.delivery_date, plan.loaded_at),
            )


def _plan_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    landing_dir: Path,
    channel: Channel,
    delivery_date: date,
    loaded_at: datetime,
    ledger: _Ledger,
    sha256: str | None = None,
    inspected: dict[Path, ParquetFile] | None = None,
) -> _PlannedFile | FileResult:
    """Read and judge one landed file; a FileResult alone when it is unchanged.
    `inspected`: Parquet files already inspected (inspect_parquet_files)."""
    source_file = _source_name(path, landing_dir)
    sha256 = sha256 or file_sha256(path)
    if ledger.unchanged(source_file, sha256):
        return FileResult(channel.name, source_file, "unchanged")
    previous = ledger.previous(source_file)
    twin = ledger.twin(sha256, source_file)

    file_format = detect_format(path)
    plan = _PlannedFile(
        result=FileResult(channel.name, source_file, "loaded"),
        sha256=sha256,
        delivery_date=delivery_date,
        loaded_at=loaded_at,
        file_format=file_format,
        previous=previous is not None,
    )
    result = plan.result
    if twin:
        result.status, result.duplicate_of = "duplicate", twin
        result.message = f"identical to {twin}, already loaded: not loaded again"
    elif file_format is None:
        result.status = "failed"
        result.message = f"unsupported file type {path.name!r}; use .csv, .jsonl or .parquet"
    else:
        try:
            if file_format == "parquet":
                plan.parquet = (inspected or {}).get(path) or inspect_parquet(con, path, channel)
                if not reads_in_place(plan.parquet, channel):
                    plan.parquet, plan.parsed = None, parse_parquet(path, channel)
            else:
                plan.parsed = PARSERS[file_format](path, channel)
        except (ContractError, duckdb.Error, csv.Error, pa.ArrowException) as error:
            result.status, result.message = "failed", str(error)
        else:
            read = plan.parquet or plan.parsed
            result.rows_read = plan.parquet.n_rows if plan.parquet else len(plan.parsed.rows)
            result.unknown_columns, result.message = _file_findings(read, channel)
    return plan


LEDGER_COLUMNS = pa.schema(
    [
        ("channel", pa.string()),
        ("source_file", pa.string()),
        ("delivery_date", pa.date32()),
        ("file_sha256", pa.string()),
        ("file_format", pa.string()),
        ("status", pa.string()),
        ("duplicate_of", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("unknown_columns", pa.string()),
        ("message", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)


def _record_file(con: duckdb.DuckDBPyConnection, channel: Channel, plan: _PlannedFile) -> list:
    """The file's row for the ledger (written by `_write_files` with the others of its
    transaction, in one statement), and its quarantine entry if it failed whole."""
    result = plan.result
    if result.status == "failed":
        # The whole file is unreadable: keep it in quarantine as one entry.
        con.execute(
            "insert into ingestion.quarantine (channel, source_file, file_sha256, source_row,"
            " raw_content, reason, quarantined_at) values (?, ?, ?, null, null, ?, ?)",
            [channel.name, result.source_file, plan.sha256, result.message, plan.loaded_at],
        )
    return [
        channel.name,
        result.source_file,
        plan.delivery_date,
        plan.sha256,
        plan.file_format,
        result.status,
        result.duplicate_of,
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
        ", ".join(result.unknown_columns) or None,
        result.message or None,
        plan.loaded_at,
    ]


def _write_files(
    con: duckdb.DuckDBPyConnection, channel: Channel, plans: list[_PlannedFile]
) -> None:
    """Write planned files in one transaction: all of them, or (on any error) none.

    A batch is new in-place Parquet files of one layout (`_PlannedFile.batchable`),
    loaded by one statement; a single plan may be anything."""
    con.execute("begin transaction")
    try:
        for plan in plans:
            if plan.previous:
                _forget_file(
                    con, channel.name, plan.result.source_file, plan.loaded_at, "file re-delivered"
                )
        in_place = [p for p in plans if p.parquet is not None and p.parquet.n_rows]
        if in_place:
            _load_parquet_files(con, channel, in_place)
        for plan in plans:
            if plan.parsed is not None and plan.parsed.rows:
                plan.result.rows_loaded, plan.result.rows_quarantined = _load_rows(
                    con,
                    channel,
                    plan.parsed,
                    source_file=plan.result.source_file,
                    sha256=plan.sha256,
                    delivery_date=plan.delivery_date,
                    loaded_at=plan.loaded_at,
                )
        rows = [_record_file(con, channel, plan) for plan in plans]
        ledger_rows = pa.Table.from_pylist(  # noqa: F841 - scanned by DuckDB below
            [dict(zip(LEDGER_COLUMNS.names, row, strict=True)) for row in rows],
            schema=LEDGER_COLUMNS,
        )
        con.execute("insert or replace into ingestion.files select * from ledger_rows")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


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
    plan = _plan_file(
        con,
        path,
        landing_dir=landing_dir,
        channel=channel,
        delivery_date=delivery_date,
        loaded_at=loaded_at or datetime.now(UTC).replace(tzinfo=None),
        ledger=_Ledger(con, channel.name),
    )
    if isinstance(plan, FileResult):
        return plan
    _write_files(con, channel, [plan])
    return plan.result


def partition_files(landing_dir: Path, channel: str, delivery_date: date) -> list[Path]:
    folder = landing_dir / channel / delivery_date.isoformat()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


# New in-place Parquet files of one channel and layout are loaded together, in one
# statement and one transaction, up to this many files or rows: a year's backfill
# then costs a few statements per channel instead of a dozen per file.
BATCH_MAX_FILES = 400
BATCH_MAX_ROWS = 4_000_000


class _ParquetBatch:
    """Planned Parquet files waiting to be written together (see BATCH_MAX_FILES)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, channel: Channel, ledger: _Ledger) -> None:
        self.con, self.channel, self.ledger = con, channel, ledger
        self.plans: list[_PlannedFile] = []
        self.hashes: set[str] = set()

    def add(self, plan: _PlannedFile) -> None:
        if self.plans:
            first = self.plans[0]
            if (
                plan.parquet.types != first.parquet.types
                or plan.loaded_at != first.loaded_at
                or len(self.plans) >= BATCH_MAX_FILES
                or sum(p.parquet.n_rows for p in self.plans) + plan.parquet.n_rows > BATCH_MAX_ROWS
            ):
                self.flush()
        self.plans.append(plan)
        self.hashes.add(plan.sha256)

    def flush(self) -> None:
        if self.plans:
            _write_files(self.con, self.channel, self.plans)
            self.ledger.record(self.plans)
        self.plans, self.hashes = [], set()


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    channel_name: str,
    delivery_dates: list[date],
    *,
    contract: Contract | None = None,
) -> list[FileResult]:
    """Load every file of one channel for each delivery day; forget files that
    disappeared. New Parquet files of one layout are written in batches (one
    transaction each, see BATCH_MAX_FILES); every other file in its own transaction."""
    contract = contract or load_contract()
    channel = contract[channel_name]
    ensure_schema(con, contract)
    now = datetime.now(UTC).replace(tzinfo=None)
    ledger = _Ledger(con, channel_name)
    batch = _ParquetBatch(con, channel, ledger)
    results: list[FileResult] = []
    days = [(d, partition_files(landing_dir, channel_name, d)) for d in delivery_dates]
    hashes = {path: file_sha256(path) for _, files in days for path in files}
    # The footers of the new Parquet files, read together up front.
    inspected = inspect_parquet_files(
        con,
        [
            path
            for path, sha256 in hashes.items()
            if detect_format(path) == "parquet"
            and not ledger.unchanged(_source_name(path, landing_dir), sha256)
        ],
    )
    for delivery_date, files in days:
        for path in files:
            sha256 = hashes[path]
            if sha256 in batch.hashes:
                batch.flush()  # its twin must be in the ledger before this file is judged
            plan = _plan_file(
                con,
                path,
                landing_dir=landing_dir,
                channel=channel,
                delivery_date=delivery_date,
                loaded_at=now,
                ledger=ledger,
                sha256=sha256,
                inspected=inspected,
            )
            if isinstance(plan, FileResult):
                results.append(plan)
                continue
            results.append(plan.result)
            if plan.batchable:
                batch.add(plan)
            else:
                batch.flush()
                _write_files(con, channel, [plan])
                ledger.record([plan])
        present = {_source_name(path, landing_dir) for path in files}
        results += _forget_removed_files(con, ledger, channel_name, delivery_date, present, now)
    batch.flush()
    return results


def load_partition(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    channel_name: str,
    delivery_date: date,
    *,
    contract: Contract | None = None,
) -> list[FileResult]:
    """Load every file of one channel and delivery day; forget files that disappeared."""
    return load_partitions(con, landing_dir, channel_name, [delivery_date], contract=contract)


def _forget_removed_files(
    con: duckdb.DuckDBPyConnection,
    ledger: _Ledger,
    channel_name: str,
    delivery_date: date,
    present: set[str],
    now: datetime,
) -> list[FileResult]:
    """Files of the ledger for this channel and day that are no longer in the landing
    folder: their rows leave raw, their quarantine entries are resolved."""
    results = []
    for source_file in ledger.on_day(delivery_date):
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
            entry = ledger.files[source_file]
            ledger.set(source_file, _LedgerEntry(entry.sha256, "removed", entry.delivery_date, now))
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
