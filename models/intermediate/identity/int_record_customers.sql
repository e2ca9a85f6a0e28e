{#-
    The customer behind each identity record (a distinct set of identifiers
    of one record type, int_identifier_observations): the customer of the
    record's linkable identifiers (all in one component by construction), or,
    for a record whose only identifiers are shared (int_shared_identifiers),
    of one of those (the smallest key).
-#}

with

observations as (
    select * from {{ ref('int_identifier_observations') }}
),

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

resolved as (
    select
        observations.record_id,
        min(case when customer_identifiers.is_linkable then customer_identifiers.customer_id end)
            as linked_customer_id,
        min(customer_identifiers.customer_id) as any_customer_id
    from observations
    inner join customer_identifiers
        on observations.node_id = customer_identifiers.node_id
    group by observations.record_id
),

final as (
    select
        record_id,
        coalesce(linked_customer_id, any_customer_id) as customer_id
    from resolved
)

select * from final
