"""A wrong attribution setting stops dbt with a message that names the var.

The attribution vars (dbt_project.yml) are validated by the attribution_settings
macro when the models are parsed; a real `dbt parse` runs here (no warehouse needed).
"""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            "{attribution_time_decay_half_life_days: 0}",
            "attribution_time_decay_half_life_days must be a number of days > 0, got 0",
        ),
        (
            "{channel_performance_attribution_model: data_driven}",
            "channel_performance_attribution_model must be one of first_touch, last_touch,"
            " linear, time_decay, position_based, got data_driven",
        ),
    ],
)
def test_invalid_attribution_var_fails_parse_clearly(
    tmp_path: Path, variables: str, message: str
) -> None:
    completed = subprocess.run(
        [
            str(DBT),
            "parse",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            variables,
        ],
        cwd=PROJECT_DIR,
        env={
            "PATH": str(DBT.parent),
            "HOME": str(tmp_path),
            "LIFECYCLE_WAREHOUSE": str(tmp_path / "unused.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output[-3000:]
    assert message in output, output[-3000:]
