"""orchestration.dagster_fixes: a run over a range of days plans an unpartitioned
asset check once, and its evaluation completes it."""

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from orchestration import dagster_fixes

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning")

DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01")


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def landed(context: dg.AssetExecutionContext) -> None:
    context.log.info(f"{len(context.partition_keys)} days")


@dg.asset(deps=[landed], check_specs=[dg.AssetCheckSpec("rows_positive", asset="built")])
def built():
    yield dg.Output(None)
    yield dg.AssetCheckResult(check_name="rows_positive", passed=True)


JOB = dg.define_asset_job("range_job", executor_def=dg.in_process_executor)
DEFS = dg.Definitions(assets=[landed, built], jobs=[JOB])
CHECK = dg.AssetCheckKey(dg.AssetKey("built"), "rows_positive")


def _run_range(instance: dg.DagsterInstance) -> list:
    result = DEFS.resolve_job_def("range_job").execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2026-01-01",
            "dagster/asset_partition_range_end": "2026-01-30",
        },
    )
    assert result.success
    return instance.event_log_storage.get_asset_check_execution_history(CHECK, limit=100)


def _status(record) -> str:
    return record.status.value


def test_range_run_plans_the_unpartitioned_check_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        DagsterRun,
        "get_resolved_partitions_subset_for_events",
        DagsterRun.get_resolved_partitions_subset_for_events,
    )
    dagster_fixes.install()
    assert dagster_fixes.installed()
    with dg.instance_for_test() as instance:
        history = _run_range(instance)
        # The partitioned asset still gets its 30 days.
        materialized = instance.get_materialized_partitions(dg.AssetKey("landed"))
    assert len(materialized) == 30
    assert [(r.partition, _status(r)) for r in history] == [(None, "SUCCEEDED")]


def test_without_the_fix_dagster_still_plans_one_check_per_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fails once Dagster gets this right itself: then the fix can go."""
    monkeypatch.setattr(
        DagsterRun, "get_resolved_partitions_subset_for_events", dagster_fixes._ORIGINAL
    )
    with dg.instance_for_test() as instance:
        history = _run_range(instance)
    statuses = [_status(r) for r in history]
    assert statuses.count("PLANNED") == 30
    assert statuses.count("SUCCEEDED") == 1


def _home_instance(home, monkeypatch: pytest.MonkeyPatch, yaml: str) -> dg.DagsterInstance:
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml, encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return dg.DagsterInstance.get()


def _materializations(instance: dg.DagsterInstance) -> list[tuple[str, str]]:
    records = instance.fetch_materializations(dg.AssetKey("landed"), limit=1000).records
    return sorted((r.partition_key, r.run_id) for r in records)


def test_batched_sqlite_storage_writes_a_range_in_batches(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's dagster.yaml: a step's 30 daily materializations, and the run's planned
    events, reach the SQLite event log as one batch each; the materializations read back
    as Dagster's own storage writes them."""
    from orchestration import dagster_storage
    from orchestration.cli import DAGSTER_YAML, dagster_yaml

    batches: list[tuple[int, str]] = []
    original = dagster_storage.BatchedSqliteEventLogStorage.store_event_batch

    def spy(self, events):
        types = {event.get_dagster_event().event_type_value for event in events}
        batches.append((len(events), ", ".join(sorted(types))))
        return original(self, events)

    monkeypatch.setattr(dagster_storage.BatchedSqliteEventLogStorage, "store_event_batch", spy)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", str(dagster_storage.EVENT_BATCH_SIZE))

    with _home_instance(tmp_path / "batched", monkeypatch, dagster_yaml()) as batched:
        assert isinstance(batched.event_log_storage, dagster_storage.BatchedSqliteEventLogStorage)
        _run_range(batched)
        got = _materializations(batched)
        latest = batched.get_latest_materialization_event(dg.AssetKey("landed"))
        partitions = batched.get_materialized_partitions(dg.AssetKey("landed"))
        built = batched.get_latest_materialization_event(dg.AssetKey("built"))
    assert (30, "ASSET_MATERIALIZATION") in batches
    # The run's plan (both assets and the check) is one batch too.
    assert "ASSET_CHECK_EVALUATION_PLANNED, ASSET_MATERIALIZATION_PLANNED" in dict(batches).values()
    n_batches = len(batches)
    with _home_instance(tmp_path / "plain", monkeypatch, DAGSTER_YAML) as plain:
        _run_range(plain)
        expected = _materializations(plain)
        expected_partitions = plain.get_materialized_partitions(dg.AssetKey("landed"))
    assert len(batches) == n_batches  # Dagster's own storage was not the batched one
    assert [p for p, _ in got] == [p for p, _ in expected]
    assert len(got) == 30
    assert partitions == expected_partitions
    assert latest.dagster_event.partition == "2026-01-30"
    assert built is not None and built.dagster_event.partition is None


PLANNED = (
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
)
# Written by the database or the clock, not by the storage's logic.
VOLATILE_COLUMNS = {
    "id",
    "timestamp",
    "create_timestamp",
    "updated_timestamp",
    "evaluation_event_timestamp",
    "last_materialization_timestamp",
    "evaluation_event_storage_id",
}


def _planned_events() -> list:
    with dg.instance_for_test() as instance:
        _run_range(instance)
        (run,) = instance.get_runs()
        return [e for e in instance.all_logs(run.run_id) if e.dagster_event_type in PLANNED]


def _stored_rows(base_dir, run_id: str) -> dict[str, list]:
    import sqlalchemy as sa

    tables = {
        "index": ["event_logs", "asset_keys", "asset_check_executions"],
        run_id: ["event_logs"],
    }
    rows = {}
    for database, names in tables.items():
        engine = sa.create_engine(f"sqlite:///{base_dir}/{database}.db")
        with engine.connect() as conn:
            for name in names:
                found = conn.execute(sa.text(f"select * from {name}")).mappings().all()
                rows[f"{database == 'index'}:{name}"] = sorted(
                    tuple((k, v) for k, v in row.items() if k not in VOLATILE_COLUMNS)
                    for row in found
                )
        engine.dispose()
    return rows


@pytest.mark.parametrize("fixed", [True, False], ids=["one-check-row", "a-row-per-day"])
def test_batched_sqlite_storage_stores_a_plan_as_dagster_does(
    tmp_path, monkeypatch: pytest.MonkeyPatch, fixed: bool
) -> None:
    """A run's planned events (assets, and a check planned once or, without
    dagster_fixes, once per day), stored as one batch, leave the same rows in the run's
    database and the index as Dagster's storage writing them one by one."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from orchestration.dagster_storage import BatchedSqliteEventLogStorage

    method = "get_resolved_partitions_subset_for_events"
    if fixed:
        monkeypatch.setattr(DagsterRun, method, getattr(DagsterRun, method))
        dagster_fixes.install()
    else:
        monkeypatch.setattr(DagsterRun, method, dagster_fixes._ORIGINAL)
    events = _planned_events()
    run_id = events[0].run_id

    one_by_one = SqliteEventLogStorage(base_dir=str(tmp_path / "plain"))
    for event in events:
        one_by_one.store_event(event)
    BatchedSqliteEventLogStorage(base_dir=str(tmp_path / "batched")).store_event_batch(events)

    expected = _stored_rows(tmp_path / "plain", run_id)
    assert len(expected["True:asset_check_executions"]) == (1 if fixed else 30)
    assert len(expected["False:event_logs"]) == len(events)
    assert _stored_rows(tmp_path / "batched", run_id) == expected
