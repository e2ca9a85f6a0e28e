{#-
    A 64-bit integer key for a string id (an identifier node or an identity
    record), so that the identity graph's joins, groupings and rounds run on
    integers instead of strings of up to about 100 characters: at 10M
    identifiers those joins on strings took several times as long, most of
    the stitching time (README, Performance).

    The key is a hash, computed afresh in every run, and never read back from
    an earlier run (a new engine version may hash differently): the
    incremental int_customer_key_history stores each node's key of the run
    that wrote it, for that run's joins, and reads its previous state by
    node id. Two ids with one key would be one node: with a well-mixed 64-bit
    hash and 10M ids the chance is about 3 in a million per build, and the
    tests identity_keys_are_unique and the unique key of int_identity_nodes
    fail the build if it happens.

    DuckDB: the upper 64 bits of MD5 (md5_number, UBIGINT). DuckDB's hash()
    is twice as fast but not built to avoid collisions: on 20M ids such as
    'email~19:p<number>@example.com|#<0 or 1>' it gave 840 pairs of ids one
    key (measured 2026-12-07, DuckDB 2.0.1), where MD5 gave none; 20M such
    ids hash in 2.7 s against 1.3 s. Spark: xxhash64() (BIGINT). Other engines
    fall back to a string hash (correct, without the speed).
-#}
{% macro identity_key(expression) -%}
    {{ return(adapter.dispatch('identity_key')(expression)) }}
{%- endmacro %}

{% macro default__identity_key(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__identity_key(expression) -%}
    cast(md5_number({{ expression }}) >> 64 as ubigint)
{%- endmacro %}

{% macro spark__identity_key(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
