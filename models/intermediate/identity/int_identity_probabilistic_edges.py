"""Probabilistic identity edges (opt-in): email addresses of one person that no
record links, matched with Splink.

On DuckDB, Splink's DuckDB backend scores in process. On the `spark` target the
profiles are built on Spark and Splink's Spark backend scores them on the same
session (its Jaro-Winkler is a Scala UDF from the jar Splink ships). Splink's
Spark dialect subclasses sqlglot's, which the compiled sqlglot (sqlglotc, pulled
in by dagster-dbt's `sqlglot[rs]`) forbids: pyproject.toml overrides the
requirement to plain sqlglot (README "Scale out").

Off by default: with var('identity_probabilistic_matching') false (the default)
the model is empty and the identity graph is exact. When on, every email node
not in int_shared_identifiers is a profile (local part split into its letters
and its digits, domain, and the CRM lead names observed with it); Splink scores
pairs blocked on equal digits or equal letters, with fixed m and u
probabilities (no training, so a run is deterministic), and pairs with a
match probability of at least var('identity_match_threshold') (default 0.99)
become edges of the identity graph with edge_source = 'probabilistic' (a pair
that records link anyway gives a redundant edge, which changes nothing).

The contract carries no postcode or birth date, so the comparison uses what the
channels do carry: the shape of the address and the names given on CRM leads.
"""

from __future__ import annotations

M_U = {
    # comparison -> (m probabilities, u probabilities) for its levels, best first
    # (the null level takes none); illustrative values, documented in the YAML.
    "local_digits": ([0.9, 0.1], [0.002, 0.998]),
    "local_letters": ([0.7, 0.2, 0.1], [0.002, 0.02, 0.978]),
    "last_name": ([0.9, 0.1], [0.02, 0.98]),
}


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def match_profiles(profiles, threshold: float, spark=None):
    """Score pairs of email profiles; returns a pyarrow table of
    node_a, node_b, match_probability (node_a < node_b), at or above ``threshold``.

    ``profiles``: a pyarrow table with unique_id (the email node id),
    local_letters, local_digits, last_name (all but unique_id nullable).
    ``spark``: a SparkSession to score on with Splink's Spark backend; without
    one, Splink's DuckDB backend scores in memory.
    """
    import duckdb
    import pyarrow as pa
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    empty = pa.table(
        {
            "node_a": pa.array([], pa.string()),
            "node_b": pa.array([], pa.string()),
            "match_probability": pa.array([], pa.float64()),
        }
    )
    if profiles.num_rows < 2:
        return empty

    def levels(column: str, fuzzy: bool = False) -> cl.CustomComparison:
        m, u = M_U[column]
        items = [cll.NullLevel(column), cll.ExactMatchLevel(column)]
        if fuzzy:
            items.append(cll.JaroWinklerLevel(column, 0.88))
        items.append(cll.ElseLevel())
        for level, m_probability, u_probability in zip(items[1:-1], m[:-1], u[:-1], strict=True):
            level.configure(m_probability=m_probability, u_probability=u_probability)
        items[-1].configure(m_probability=m[-1], u_probability=u[-1])
        return cl.CustomComparison(items, output_column_name=column)

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            levels("local_digits"),
            levels("local_letters", fuzzy=True),
            levels("last_name"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("local_digits"),
            block_on("local_letters"),
        ],
        # About one address in three has a second one: matches per pair ~ 1 / profiles.
        probability_two_random_records_match=min(0.5, 1.0 / profiles.num_rows),
    )
    con = duckdb.connect()
    try:
        if spark is None:
            db_api = DuckDBAPI(connection=con)
            linker = Linker(db_api.register(profiles), settings, log_level="WARNING")
        else:
            db_api = _spark_api(spark)
            linker = Linker(
                db_api.register(spark.createDataFrame(profiles)), settings, log_level="WARNING"
            )
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        con.register("scored", predictions.as_pyarrow_table())
        return con.sql(
            """
            select
                least(unique_id_l, unique_id_r) as node_a,
                greatest(unique_id_l, unique_id_r) as node_b,
                cast(match_probability as double) as match_probability
            from scored
            order by node_a, node_b
            """
        ).to_arrow_table()
    finally:
        con.close()


def _spark_api(spark):
    """Splink's Spark backend on this session. Its string-similarity functions
    (Jaro-Winkler) are Scala UDFs in a jar that Splink ships: added to the running
    session, then registered by SparkAPI."""
    from splink import SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location

    spark.sql(f"add jar {similarity_jar_location()}")
    return SparkAPI(spark_session=spark, break_lineage_method="persist")


def model(dbt, session):
    dbt.config(materialized="table")
    enabled = _truthy(dbt.config.meta_get("probabilistic_matching"))
    threshold = float(dbt.config.meta_get("match_threshold") or 0.99)
    observations = dbt.ref("int_identifier_observations")
    shared = dbt.ref("int_shared_identifiers")
    leads = dbt.ref("stg_crm__leads")
    if not enabled:
        return session.sql(
            "select cast(null as string) as node_a, cast(null as string) as node_b,"
            " cast(null as double) as match_probability where 1 = 0"
        )
    on_spark = hasattr(session, "createDataFrame")
    for name, relation in (
        ("observations", observations),
        ("shared", shared),
        ("leads", leads),
    ):
        if on_spark:
            relation.createOrReplaceTempView(f"__probabilistic_{name}")
        else:
            relation.create_view(f"__probabilistic_{name}", replace=True)
    # DuckDB's regexp_replace replaces the first match without 'g'; Spark's, all.
    flags = "" if on_spark else ", 'g'"
    profiles_sql = (
        """
        with emails as (
            select distinct
                observations.node_id,
                observations.identifier_value,
                split_part(observations.identifier_value, '@', 1) as local_part
            from __probabilistic_observations as observations
            where observations.identifier_type = 'email'
                and observations.node_id not in (select node_id from __probabilistic_shared)
        ),
        lead_names as (
            select email, min(lower(trim(last_name))) as last_name
            from __probabilistic_leads
            where email is not null and last_name is not null
            group by email
        )
        select
            emails.node_id as unique_id,
            nullif({strip_not_letters}, '') as local_letters,
            nullif({strip_not_digits}, '') as local_digits,
            lead_names.last_name
        from emails
        left join lead_names on emails.identifier_value = lead_names.email
        order by unique_id
        """
    ).format(
        strip_not_letters=f"regexp_replace(emails.local_part, '[^a-z]', ''{flags})",
        strip_not_digits=f"regexp_replace(emails.local_part, '[^0-9]', ''{flags})",
    )
    if on_spark:
        profiles = session.sql(profiles_sql).toArrow()
        return session.createDataFrame(match_profiles(profiles, threshold, spark=session))
    profiles = session.sql(profiles_sql).to_arrow_table()
    return match_profiles(profiles, threshold)
