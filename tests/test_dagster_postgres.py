"""The Dagster instance on PostgreSQL storage (dagster-postgres), as a team runs it.

A throwaway PostgreSQL server from Debian's packages is started on localhost
(initdb into a temporary folder; as the `postgres` user when the test runs as
root, since postgres refuses to run as root). DAGSTER_HOME gets the dagster.yaml
that the `lifecycle` CLI writes when LIFECYCLE_DAGSTER_PG_URL is set; an asset is
materialized through that instance, and the run, its materialization and the
asset's record are then read back from PostgreSQL itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

pytestmark = pytest.mark.e2e


def _postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries (postgresql-NN), if installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed (make install-postgres)")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="lifecycle-pg-"))
    if os.geteuid() == 0:
        # postgres refuses to run as root: run the server as Debian's postgres user.
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start postgres as another user")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
    data, log, port = root / "data", root / "server.log", _free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root}"
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "dagster",
                "dagster",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://dagster@127.0.0.1:{port}/dagster"
    finally:
        subprocess.run(
            [*pg_ctl, "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@dg.asset(name="team_instance_probe")
def probe() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


def test_runs_are_recorded_in_postgres(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2

    from orchestration.cli import dagster_yaml

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(postgres=True), encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; dagster-postgres ships psycopg2.
    monkeypatch.setenv("LIFECYCLE_DAGSTER_PG_URL", postgres_url.replace("://", "+psycopg2://", 1))

    started = time.monotonic()
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        result = dg.materialize([probe], instance=instance)
        assert result.success
        run_id = result.run_id

    # A new instance over the same home reads the run back from PostgreSQL...
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        assert run.status == dg.DagsterRunStatus.SUCCESS
        materialization = instance.get_latest_materialization_event(
            dg.AssetKey("team_instance_probe")
        )
        assert materialization is not None
        assert materialization.run_id == run_id

    # ... and the rows are in PostgreSQL's own tables, not in a file in DAGSTER_HOME.
    with psycopg2.connect(postgres_url) as con, con.cursor() as cur:
        cur.execute("select status from runs where run_id = %s", (run_id,))
        assert cur.fetchall() == [("SUCCESS",)]
        cur.execute(
            "select count(*) from event_logs where run_id = %s"
            " and dagster_event_type = 'ASSET_MATERIALIZATION'",
            (run_id,),
        )
        assert cur.fetchone() == (1,)
        cur.execute("select count(*) from asset_keys where asset_key like %s", ("%team_instance%",))
        assert cur.fetchone() == (1,)
    assert not list(home.glob("**/*.db")), "SQLite storage was used instead of PostgreSQL"
    print(f"materialized through the PostgreSQL instance in {time.monotonic() - started:.1f}s")
