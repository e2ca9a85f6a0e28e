{#-
    The customer behind each identity record (a distinct set of identifiers
    of one record type, int_identifier_observations): the customer of the
    record's linkable identifiers (all in one component by construction), or,
    for a record whose only identifiers are shared (int_shared_identifiers),
    of one of those (the smallest key).

    On the integer keys (macro identity_key), and keyed by the record's key:
    touchpoints join on identity_key(identity_record_id), so the record ids,
    strings of up to about 100 characters, are neither grouped nor written
    here. The customer of a linked record is read through its smallest
    linkable node key (any of them gives the same customer); only the few
    records with shared identifiers alone compare customer keys.
-#}

with

-- Only the keys: the engine keeps this CTE for its readers.
observations as (
    select record_key, node_key, n_record_identifiers
    from {{ ref('int_identifier_observations') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

-- A record of one identifier (about half at scale) is its identifier's
-- customer, linkable or not: no grouping.
single as (
    select
        observations.record_key,
        customer_identifiers.customer_id
    from observations
    inner join customer_identifiers
        on observations.node_key = customer_identifiers.node_key
    where observations.n_record_identifiers = 1
),

record_nodes as (
    select
        observations.record_key,
        min(case when customer_identifiers.is_linkable then observations.node_key end)
            as linked_node_key
    from observations
    inner join customer_identifiers
        on observations.node_key = customer_identifiers.node_key
    where observations.n_record_identifiers > 1
    group by observations.record_key
),

linked as (
    select
        record_nodes.record_key,
        customer_identifiers.customer_id
    from record_nodes
    inner join customer_identifiers
        on record_nodes.linked_node_key = customer_identifiers.node_key
),

shared_only as (
    select
        observations.record_key,
        min(customer_identifiers.customer_id) as customer_id
    from observations
    inner join customer_identifiers
        on observations.node_key = customer_identifiers.node_key
    where observations.record_key in (
        select record_key from record_nodes where linked_node_key is null
    )
    group by observations.record_key
),

resolved as (
    select record_key, customer_id from single
    union all
    select record_key, customer_id from linked
    union all
    select record_key, customer_id from shared_only
),

final as (
    select
        record_key,
        customer_id
    from resolved
)

select * from final
