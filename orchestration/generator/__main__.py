"""``python -m orchestration.generator``: generate the demo landing files and ground truth."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.generator import generate_demo_data


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.generator",
        description="Generate deterministic demo channel exports and their ground truth.",
    )
    parser.add_argument(
        "--landing",
        type=Path,
        default=Path(os.environ.get("LIFECYCLE_LANDING", "landing")),
        help="landing folder to write channel files to (default: $LIFECYCLE_LANDING or ./landing)",
    )
    parser.add_argument(
        "--truth",
        type=Path,
        default=Path("demo/truth"),
        help="folder for the ground truth (default: ./demo/truth)",
    )
    parser.add_argument("--persons", type=int, default=2000, help="people to simulate")
    parser.add_argument("--days", type=int, default=90, help="length of the window in days")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument(
        "--start-date",
        type=date.fromisoformat,
        default=date(2026, 1, 1),
        help="first day of the window, YYYY-MM-DD (default: 2026-01-01)",
    )
    parser.add_argument(
        "--ahead", type=int, default=0, help="days simulated beyond --days, not yet landed"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"  {line}", file=sys.stderr, flush=True)

    summary = generate_demo_data(
        args.landing,
        args.truth,
        persons=args.persons,
        days=args.days,
        start_date=args.start_date,
        seed=args.seed,
        ahead=args.ahead,
        progress=progress,
    )
    print(summary.describe())
    print(f"landing: {args.landing}  truth: {args.truth}  ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
