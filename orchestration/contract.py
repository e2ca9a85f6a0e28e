"""The channel export contract (``orchestration/contract/channels.yml``) as Python objects.

Ingestion enforces it, the raw tables are created from it and the README's
contract section is rendered from it, so there is exactly one description of
what a channel export looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).parent / "contract" / "channels.yml"

# Contract type -> DuckDB type of the column in the raw layer.
DUCKDB_TYPES: dict[str, str] = {
    "string": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18, 4)",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}

# Lineage columns every raw table carries after the contract's columns.
LINEAGE_COLUMNS: dict[str, str] = {
    "_source_file": "varchar",  # path relative to the landing folder
    "_source_row": "bigint",  # 1-based data row (CSV: excluding the header)
    "_file_sha256": "varchar",  # content hash of the landed file
    "_delivery_date": "date",  # the <YYYY-MM-DD> folder the file landed in
    "_loaded_at": "timestamp",  # when ingestion loaded the row (UTC)
}

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    description: str = ""
    accepted_values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Channel:
    name: str
    description: str
    silo: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    snapshot: bool = False
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def raw_table_ddl(self, schema: str = "raw") -> str:
        columns = [f"{c.name} {c.duckdb_type}" for c in self.columns]
        columns += [f"{name} {type_}" for name, type_ in LINEAGE_COLUMNS.items()]
        body = ",\n    ".join(columns)
        return f"create table if not exists {schema}.{self.name} (\n    {body}\n)"


@dataclass(frozen=True)
class Contract:
    version: str
    channels: dict[str, Channel]

    def __getitem__(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(sorted(self.channels))
            raise KeyError(f"unknown channel {name!r}; the contract knows: {known}") from None

    def __iter__(self):
        return iter(self.channels.values())


def _column(spec: dict) -> Column:
    unknown_type = spec["type"] not in DUCKDB_TYPES
    if unknown_type:
        raise ValueError(f"column {spec['name']!r}: unknown type {spec['type']!r}")
    accepted = spec.get("accepted_values")
    return Column(
        name=spec["name"],
        type=spec["type"],
        required=bool(spec.get("required", False)),
        description=spec.get("description", ""),
        accepted_values=tuple(accepted) if accepted else None,
        min=spec.get("min"),
        max=spec.get("max"),
    )


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Parse and sanity-check the contract file."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    channels: dict[str, Channel] = {}
    for name, spec in raw["channels"].items():
        columns = tuple(_column(c) for c in spec["columns"])
        channel = Channel(
            name=name,
            description=spec["description"],
            silo=spec["silo"],
            key=tuple(spec["key"]),
            columns=columns,
            snapshot=bool(spec.get("snapshot", False)),
        )
        missing_key = set(channel.key) - set(channel.column_names)
        if missing_key:
            raise ValueError(f"{name}: key columns {sorted(missing_key)} are not columns")
        if channel.snapshot and "updated_at" not in channel.column_names:
            raise ValueError(f"{name}: a snapshot channel needs an updated_at column")
        channels[name] = channel
    return Contract(version=str(raw["version"]), channels=channels)


def detect_format(path: Path) -> str | None:
    """The contract format of a landed file from its name, or None if unsupported."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def contract_markdown(contract: Contract | None = None) -> str:
    """The contract as Markdown tables, for the README."""
    contract = contract or load_contract()
    lines = [f"Contract version **{contract.version}**.", ""]
    for channel in contract:
        snapshot = (
            " Snapshot channel: the row with the latest `updated_at` wins." * channel.snapshot
        )
        lines += [
            f"#### `{channel.name}` ({channel.silo})",
            "",
            f"{channel.description} Key: `{', '.join(channel.key)}`.{snapshot}",
            "",
            "| column | type | required | rule | description |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in channel.columns:
            rules = []
            if c.accepted_values:
                rules.append("one of " + ", ".join(f"`{v}`" for v in c.accepted_values))
            if c.min is not None:
                rules.append(f">= {c.min:g}")
            if c.max is not None:
                rules.append(f"<= {c.max:g}")
            required = "yes" if c.required else ""
            lines.append(
                f"| `{c.name}` | {c.type} | {required} | {'; '.join(rules)} | {c.description} |"
            )
        lines.append("")
    return "\n".join(lines)
