{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='node_id',
    on_schema_change='append_new_columns',
) }}
{#-
    Stable customer keys: every identifier node with the key of its customer,
    remembered from one run to the next (an incremental model reading its own
    previous state).

    - A component none of whose nodes had a key gets a new key, the hash of
      its smallest node id (so a first run, or a full refresh, gives the same
      keys as hashing the component id).
    - A component whose nodes had keys keeps one of them: the oldest key (the
      key whose earliest node was observed first; ties: the smallest key).
      When two customers merge, the younger key is retired
      (customer_merges records it).
    - When a component splits, the key stays with the piece that holds the
      key's oldest linkable node (a shared identifier that stops linking,
      such as a tablet found to be a family's, does not carry the person's key
      away); a piece left without a key gets a new one, the hash of 'split|',
      its smallest node id and the key it split from.

    A run writes only the nodes that are new or whose customer, component,
    first observation or key changed: the other rows already say what this run
    would write. previous_customer_id is the key a node had before its key
    last changed (null while it never changed). Nodes gone from the graph keep
    their last row.
-#}

{%- set run_at = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")" %}

with

components as (
    select * from {{ ref('int_identity_components') }}
),

identity_nodes as (
    select * from {{ ref('int_identity_nodes') }}
),

shared_identifiers as (
    select * from {{ ref('int_shared_identifiers') }}
),

previous as (
    {% if is_incremental() -%}
    select * from {{ this }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as node_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as first_customer_id,
        cast(null as {{ dbt.type_bigint() }}) as component_key,
        cast(null as {{ dbt.type_string() }}) as previous_customer_id,
        cast(null as {{ dbt.type_timestamp() }}) as first_observed_at,
        cast(null as {{ dbt.type_timestamp() }}) as keyed_at,
        cast(null as {{ dbt.type_timestamp() }}) as changed_at,
        cast(null as {{ dbt.type_bigint() }}) as node_key
    where 1 = 0
    {%- endif %}
),

-- In-run joins and groupings are on the integer keys (macro identity_key);
-- the previous state is read by node id (a stored key may come from an older
-- engine version, which may hash differently). stored_* columns are the
-- node's row as the previous run left it.
nodes as (
    select
        identity_nodes.node_id,
        identity_nodes.node_key,
        components.component_key,
        identity_nodes.first_observed_at,
        shared_identifiers.node_key is not null as is_shared,
        previous.customer_id as stored_customer_id,
        previous.first_customer_id as stored_first_customer_id,
        previous.keyed_at as stored_keyed_at,
        previous.changed_at as stored_changed_at,
        previous.component_key as stored_component_key,
        previous.previous_customer_id as stored_previous_customer_id,
        previous.first_observed_at as stored_first_observed_at,
        previous.node_key as stored_node_key
    from components
    inner join identity_nodes
        on components.node_key = identity_nodes.node_key
    left join shared_identifiers
        on components.node_key = shared_identifiers.node_key
    left join previous
        on identity_nodes.node_id = previous.node_id
),

-- Each existing key lives on in the component holding its oldest linkable
-- node (its oldest node if all are shared now).
key_nodes_ranked as (
    select
        stored_customer_id as customer_id,
        component_key,
        min(first_observed_at) over (partition by stored_customer_id)
            as key_first_observed_at,
        row_number() over (
            partition by stored_customer_id
            order by case when is_shared then 1 else 0 end, first_observed_at, node_id
        ) as node_rank
    from nodes
    where stored_customer_id is not null
),

key_homes as (
    select * from key_nodes_ranked where node_rank = 1
),

-- The oldest key at home in a component survives.
survivors_ranked as (
    select
        component_key,
        customer_id,
        row_number() over (
            partition by component_key
            order by key_first_observed_at, customer_id
        ) as key_rank
    from key_homes
),

survivors as (
    select * from survivors_ranked where key_rank = 1
),

-- A component's id is its smallest node id (not the node of its smallest
-- key: keys are engine-specific hashes, the ids are the same everywhere).
component_previous_keys as (
    select
        component_key,
        min(node_id) as component_id,
        min(stored_customer_id) as any_previous_customer_id
    from nodes
    group by component_key
),

component_keys as (
    select
        component_previous_keys.component_key,
        coalesce(
            survivors.customer_id,
            case
                when component_previous_keys.any_previous_customer_id is null
                    then {{ dbt.hash('component_previous_keys.component_id') }}
                else {{ dbt.hash(dbt.concat([
                    "'split|'",
                    "component_previous_keys.component_id",
                    "'|'",
                    "component_previous_keys.any_previous_customer_id",
                ])) }}
            end
        ) as customer_id
    from component_previous_keys
    left join survivors
        on component_previous_keys.component_key = survivors.component_key
),

final as (
    select
        nodes.node_id,
        nodes.component_key,
        component_keys.customer_id,
        case
            when nodes.stored_customer_id <> component_keys.customer_id
                then nodes.stored_customer_id
            else nodes.stored_previous_customer_id
        end as previous_customer_id,
        coalesce(nodes.stored_first_customer_id, component_keys.customer_id)
            as first_customer_id,
        nodes.first_observed_at,
        coalesce(nodes.stored_keyed_at, {{ run_at }}) as keyed_at,
        case
            when nodes.stored_customer_id is null then {{ run_at }}
            when nodes.stored_customer_id <> component_keys.customer_id then {{ run_at }}
            else nodes.stored_changed_at
        end as changed_at,
        -- This run's key of the node: a row whose stored key differs is
        -- rewritten, so a row's key is fresh unless its node is gone from the
        -- graph.
        nodes.node_key
    from nodes
    inner join component_keys
        on nodes.component_key = component_keys.component_key
    {%- if is_incremental() %}
    where nodes.stored_customer_id is null
        or nodes.stored_customer_id <> component_keys.customer_id
        or nodes.stored_component_key is distinct from nodes.component_key
        or nodes.stored_first_observed_at is distinct from nodes.first_observed_at
        or nodes.stored_node_key is distinct from nodes.node_key
    {%- endif %}
)

select * from final
