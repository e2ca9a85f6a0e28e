"""Write records to the landing layout: ``<channel>/<YYYY-MM-DD>/<channel>_<YYYY-MM-DD>.<ext>``.

Web, app and email events are JSON Lines, till receipts and media plays are
Parquet, everything else is CSV. Output is byte-for-byte reproducible: rows are
sorted, nothing depends on the clock, and Parquet carries no pandas metadata.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.contract import Channel

JSONL_CHANNELS = frozenset({"web_events", "app_events", "email_events"})
PARQUET_CHANNELS = frozenset({"pos_transactions", "media_listens"})

ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(18, 2),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def extension(channel: str) -> str:
    if channel in JSONL_CHANNELS:
        return "jsonl"
    if channel in PARQUET_CHANNELS:
        return "parquet"
    return "csv"


def relative_path(channel: str, delivered: date) -> str:
    day = delivered.isoformat()
    return f"{channel}/{day}/{channel}_{day}.{extension(channel)}"


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _csv_bytes(channel: Channel, rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(channel.column_names)
    for row in rows:
        writer.writerow([text_value(row.get(name)) for name in channel.column_names])
    return buffer.getvalue().encode("utf-8")


def _jsonl_bytes(channel: Channel, rows: list[dict[str, Any]]) -> bytes:
    lines = []
    for row in rows:
        obj = {}
        for name in channel.column_names:
            value = row.get(name)
            if value is None:
                continue
            obj[name] = text_value(value) if isinstance(value, (datetime, date)) else value
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _arrow_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(f"{value:.2f}")
    return value


def _parquet_bytes(channel: Channel, rows: list[dict[str, Any]]) -> bytes:
    arrays, fields = [], []
    for column in channel.columns:
        arrow_type = ARROW_TYPES[column.type]
        values = [_arrow_value(row.get(column.name), column.type) for row in rows]
        arrays.append(pa.array(values, type=arrow_type))
        fields.append(pa.field(column.name, arrow_type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def file_bytes(channel: Channel, rows: list[dict[str, Any]]) -> bytes:
    if channel.name in JSONL_CHANNELS:
        return _jsonl_bytes(channel, rows)
    if channel.name in PARQUET_CHANNELS:
        return _parquet_bytes(channel, rows)
    return _csv_bytes(channel, rows)


def write_file(landing_dir: Path, relative: str, content: bytes) -> bool:
    """Write a landing file; a file already there with the same bytes is left untouched
    (its time stamp too). Returns whether anything was written."""
    path = landing_dir / relative
    if path.exists() and path.stat().st_size == len(content) and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True
