"""Faults: a load killed mid-way, and two runs at once.

Real processes and real signals: the loader runs in a child process that is sent
SIGKILL while a file's transaction is open; `lifecycle run` is started twice
against one warehouse and must wait or refuse (exit code 3), never run alongside.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.loader import load_partition
from orchestration.ingest.warehouse import connect
from orchestration.runlock import RunLockBusy, acquire_run_lock, lock_path_for

PROJECT = Path(__file__).resolve().parent.parent
DAY = date(2026, 1, 2)
HEADER = "event_id,event_at,cookie_id,url,device_type"


def web_csv(prefix: str, n_rows: int) -> str:
    lines = [HEADER]
    for i in range(n_rows):
        device = "fridge" if i % 1000 == 7 else "mobile"  # a few quarantined rows too
        lines.append(f"{prefix}{i},2026-01-02T10:00:00Z,c{i},https://x/{prefix}/{i},{device}")
    return "\n".join(lines) + "\n"


def write_landing(landing: Path, files: dict[str, str]) -> None:
    folder = landing / "web_events" / DAY.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")


def snapshot(warehouse: Path) -> tuple[list, list, list]:
    """Raw rows, open quarantine entries and the file ledger, without load timestamps."""
    with connect(warehouse, read_only=True) as con:
        raw = con.execute(
            "select * exclude (_loaded_at) from raw.web_events order by _source_file, _source_row"
        ).fetchall()
        quarantine = con.execute(
            "select source_file, file_sha256, source_row, raw_content, reason"
            " from ingestion.quarantine where resolved_at is null order by all"
        ).fetchall()
        files = con.execute(
            "select source_file, file_sha256, status, rows_read, rows_loaded, rows_quarantined"
            " from ingestion.files order by source_file"
        ).fetchall()
    return raw, quarantine, files


# The child loads the landing folder and says when it is inside a file's transaction
# (the earlier rows of a re-delivered file already deleted, the new ones being inserted).
LOADER_CHILD = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path

    from orchestration.ingest import loader
    from orchestration.ingest.warehouse import connect

    real_load_rows = loader._load_rows

    def announced_load_rows(con, channel, parsed, **kwargs):
        print("in transaction:", kwargs["source_file"], flush=True)
        return real_load_rows(con, channel, parsed, **kwargs)

    loader._load_rows = announced_load_rows
    with connect(Path(sys.argv[1])) as con:
        loader.load_partition(con, Path(sys.argv[2]), "web_events", date(2026, 1, 2))
    print("done", flush=True)
    """
)


def test_sigkill_during_a_load_leaves_nothing_half_loaded(tmp_path: Path) -> None:
    big = 60_000
    final_files = {
        "a.csv": web_csv("a", 500),
        "b.csv": web_csv("b2-", big),  # the corrected re-delivery of b.csv
        "c.csv": web_csv("c", 500),
    }
    # Reference: a clean load of the final landing folder.
    clean_landing, clean = tmp_path / "clean_landing", tmp_path / "clean.duckdb"
    write_landing(clean_landing, final_files)
    with connect(clean) as con:
        load_partition(con, clean_landing, "web_events", DAY)

    # Yesterday's state: a.csv and the first version of b.csv loaded.
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_landing(landing, {"a.csv": final_files["a.csv"], "b.csv": web_csv("b1-", 2_000)})
    with connect(warehouse) as con:
        load_partition(con, landing, "web_events", DAY)
    before = snapshot(warehouse)

    # Today: b.csv re-delivered (big) and c.csv new; the load is killed inside b's transaction.
    write_landing(landing, final_files)
    child = subprocess.Popen(
        [sys.executable, "-c", LOADER_CHILD, str(warehouse), str(landing)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "in transaction: web_events/2026-01-02/b.csv", line
        time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "the load finished before it was killed"

    # The open transaction is gone: b.csv's earlier rows are all still there, c.csv absent.
    assert snapshot(warehouse) == before
    # The next load completes and gives what a clean load gives.
    with connect(warehouse) as con:
        results = load_partition(con, landing, "web_events", DAY)
    assert [(r.source_file.rsplit("/", 1)[1], r.status) for r in results] == [
        ("a.csv", "unchanged"),
        ("b.csv", "loaded"),
        ("c.csv", "loaded"),
    ]
    raw, quarantine, files = snapshot(warehouse)
    assert (raw, quarantine, files) == snapshot(clean)
    assert len(raw) == 500 + big + 500 - (1 + 60 + 1)
    with connect(warehouse, read_only=True) as con:
        resolved = con.execute(
            "select count(*), any_value(resolution) from ingestion.quarantine"
            " where resolved_at is not null"
        ).fetchone()
    assert resolved == (2, "file re-delivered")  # b.csv's first version had 2 bad rows


# -- two runs at once ---------------------------------------------------------------------

HOLDER_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.runlock import acquire_run_lock

    with acquire_run_lock(Path(sys.argv[1]), timeout=0):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)


def hold_lock(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another run: a process that holds the run lock for some seconds."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER_CHILD, str(warehouse), str(seconds)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def lifecycle_run(tmp_path: Path, timeout: str | None) -> subprocess.CompletedProcess:
    """`lifecycle run` on a landing folder with nothing to load (it ends quickly, code 1)."""
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    (landing / "README.txt").write_text("not an export", encoding="utf-8")
    env = {
        **os.environ,
        "LIFECYCLE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "LIFECYCLE_LANDING": str(landing),
        "LIFECYCLE_LOGS": str(tmp_path / "logs"),
    }
    env.pop("LIFECYCLE_LOCK_TIMEOUT", None)
    if timeout is not None:
        env["LIFECYCLE_LOCK_TIMEOUT"] = timeout
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--no-report"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()


@pytest.mark.parametrize("timeout", [None, "0"])
def test_second_run_fails_at_once_with_exit_code_3(tmp_path: Path, timeout) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_lock(warehouse, 60)
    try:
        started = time.monotonic()
        second = lifecycle_run(tmp_path, timeout)
        elapsed = time.monotonic() - started
    finally:
        stop(holder)
    assert second.returncode == 3, second.stdout + second.stderr
    lock = lock_path_for(warehouse)
    assert f"another run holds {lock} (pid {holder.pid}, since " in second.stdout
    assert "LIFECYCLE_LOCK_TIMEOUT=<seconds> to wait for it" in second.stdout
    assert "nothing to load" not in second.stdout  # it did not start
    assert elapsed < 30


def test_second_run_waits_for_the_first_and_then_runs(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_lock(warehouse, 2.0)
    try:
        started = time.monotonic()
        second = lifecycle_run(tmp_path, "60")
        elapsed = time.monotonic() - started
        assert holder.stdout.readline().strip() == "released"
    finally:
        stop(holder)
    out = second.stdout
    assert f"waiting for the run that holds {lock_path_for(warehouse)} (pid {holder.pid}" in out
    assert "up to 60s" in out
    # It ran once the lock was free: here it finds nothing to load (exit code 1).
    assert out.index("waiting for the run") < out.index("nothing to load")
    assert second.returncode == 1, out + second.stderr
    assert elapsed >= 1.0


def test_second_run_gives_up_after_the_timeout(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_lock(warehouse, 60)
    try:
        second = lifecycle_run(tmp_path, "0.5")
    finally:
        stop(holder)
    assert second.returncode == 3
    assert "waiting for the run that holds" in second.stdout
    assert f"gave up after 0.5s waiting for the run that holds {lock_path_for(warehouse)}" in (
        second.stdout
    )


def test_bad_lock_timeout_is_a_clear_error(tmp_path: Path) -> None:
    second = lifecycle_run(tmp_path, "soon")
    assert second.returncode == 3
    assert "LIFECYCLE_LOCK_TIMEOUT must be a number of seconds, not 'soon'" in second.stdout


def test_a_killed_run_does_not_leave_a_stale_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_lock(warehouse, 60)
    with pytest.raises(RunLockBusy):
        acquire_run_lock(warehouse, timeout=0)
    holder.send_signal(signal.SIGKILL)
    stop(holder)
    assert holder.returncode == -signal.SIGKILL
    with acquire_run_lock(warehouse, timeout=5) as lock:
        assert lock.path.read_text(encoding="utf-8").startswith(f"pid {os.getpid()}, since ")


# -- dbt build killed mid-run (slow: two dbt builds, so marked e2e) -----------------------


def dbt_build(root: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "LIFECYCLE_WAREHOUSE": str(root / "warehouse.duckdb"),
        "LIFECYCLE_DBT_THREADS": "1",
        "LIFECYCLE_DUCKDB_MEMORY": "1GB",
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--project-dir",
            str(PROJECT),
            "--profiles-dir",
            str(PROJECT),
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
            "--no-use-colors",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.e2e
def test_sigkill_during_dbt_build_then_the_next_build_completes(tmp_path: Path) -> None:
    from orchestration.contract import load_contract
    from orchestration.generator import generate_demo_data
    from orchestration.ingest.loader import landed_dates, load_partitions

    generate_demo_data(tmp_path / "landing", tmp_path / "truth", persons=60, days=5, seed=7)
    with connect(tmp_path / "warehouse.duckdb") as con:
        dates = landed_dates(tmp_path / "landing")
        for channel in load_contract():
            load_partitions(con, tmp_path / "landing", channel.name, dates)

    first = dbt_build(tmp_path)
    seen: list[str] = []
    try:
        for line in first.stdout:
            seen.append(line)
            if "START sql table model marts." in line:
                time.sleep(0.5)  # a mart is being written
                first.send_signal(signal.SIGKILL)
                break
        first.wait(timeout=120)
    finally:
        stop(first)
    assert first.returncode == -signal.SIGKILL, "".join(seen[-20:])

    second = dbt_build(tmp_path)
    output, _ = second.communicate(timeout=600)
    assert second.returncode == 0, output[-4000:]
    assert "Completed successfully" in output
    with connect(tmp_path / "warehouse.duckdb", read_only=True) as con:
        leftovers = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_name like '%__dbt_tmp' or table_name like '%__dbt_backup'"
        ).fetchall()
        customers = con.execute("select count(*) from marts.customers").fetchone()[0]
    assert leftovers == []
    assert customers > 0


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with acquire_run_lock(warehouse, timeout=0):
        with acquire_run_lock(warehouse, timeout=0):
            pass
        # Still held after the inner release: another process cannot take it.
        probe = hold_lock_probe(warehouse)
        assert probe.returncode == 1, probe.stdout + probe.stderr
    assert hold_lock_probe(warehouse).returncode == 0


def hold_lock_probe(warehouse: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from orchestration.runlock import RunLockBusy, acquire_run_lock\n"
        "try:\n"
        "    acquire_run_lock(Path(sys.argv[1]), timeout=0).release()\n"
        "except RunLockBusy:\n"
        "    sys.exit(1)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(warehouse)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_dagster_run_takes_the_lock_through_the_warehouse_resource(tmp_path: Path) -> None:
    """Runs launched from the UI, the schedule or a sensor do not pass through
    `lifecycle run`; the warehouse resource takes the lock for them."""
    warehouse = tmp_path / "warehouse.duckdb"

    @dg.asset
    def touch(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table if not exists t as select 1 as x")

    defs = dg.Definitions(
        assets=[touch], resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    job = dg.define_asset_job("touch_job", selection=[touch])
    defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    holder = hold_lock(warehouse, 60)
    try:
        result = defs.resolve_job_def("touch_job").execute_in_process(raise_on_error=False)
    finally:
        stop(holder)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_failure)
    assert f"another run holds {lock_path_for(warehouse)}" in str(failure.event_specific_data)
    # Once free, the same run succeeds and leaves the lock free again.
    assert defs.resolve_job_def("touch_job").execute_in_process().success
    assert hold_lock_probe(warehouse).returncode == 0
