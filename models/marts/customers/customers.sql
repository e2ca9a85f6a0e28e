{#-
    The unified customer: one row per person, stitched across channels and
    devices by the identity graph. Anonymous profiles (only cookies, devices or
    a social handle) are customers too, with is_known = false. Contacts are
    masked and hashed here; the raw primary contacts are in pii.customer_contacts.
-#}

{#- The touchpoints are read where they are needed, not through a CTE: DuckDB
    materialises a CTE read more than once (here all 49M touchpoints, 53 s of
    CPU at 1M persons), while each read of the relation takes only its columns. -#}
{%- set touchpoints = ref('touchpoints') %}

with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

stage_history as (
    select * from {{ ref('customer_stage_history') }}
),

identifier_summary as (
    select
        customer_id,
        count(*) as n_identifiers,
        sum(case when identifier_type = 'email' then 1 else 0 end) as n_emails,
        sum(case when identifier_type = 'phone' then 1 else 0 end) as n_phones,
        sum(case when identifier_type in ('cookie_id', 'device_id') then 1 else 0 end)
            as n_devices,
        -- A customer made only of shared identifiers (a store's default card)
        -- is nobody in particular.
        max(case when is_known_identifier and is_linkable then 1 else 0 end) = 1 as is_known
    from customer_identifiers
    group by customer_id
),

primary_contacts as (
    select * from {{ ref('int_customer_primary_contacts') }}
),

-- The first touchpoint of each customer, by one aggregate (macro
-- first_per_group), not a window sorting every touchpoint.
first_touches as (
    {{ first_per_group(touchpoints, ['customer_id'], ['occurred_at', 'touchpoint_id'], ['channel']) }}
),

-- Per customer and channel first (5.3M rows from 49M at 1M persons), then per
-- customer: the channels are counted by the second grouping, so no distinct
-- count makes DuckDB hold every touchpoint for a second aggregate (27 s of CPU).
customer_channel_summary as (
    select
        customer_id,
        channel,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        count(*) as n_touchpoints,
        sum(case when touchpoint_type = 'purchase' then 1 else 0 end) as n_purchases,
        min(case when touchpoint_type = 'purchase' then occurred_at end) as first_purchased_at,
        max(case when touchpoint_type = 'purchase' then occurred_at end) as last_purchased_at,
        sum(revenue_eur) as revenue_eur
    from {{ touchpoints }}
    group by customer_id, channel
),

touchpoint_summary as (
    select
        customer_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(n_touchpoints) as n_touchpoints,
        count(channel) as n_channels,
        sum(n_purchases) as n_purchases,
        min(first_purchased_at) as first_purchased_at,
        max(last_purchased_at) as last_purchased_at,
        coalesce(sum(revenue_eur), 0) as lifetime_revenue_eur
    from customer_channel_summary
    group by customer_id
),

current_stages as (
    select customer_id, stage as current_stage, valid_from as current_stage_since
    from stage_history
    where is_current
),

joined as (
    select
        identifier_summary.customer_id,
        identifier_summary.is_known,
        {{ mask_email('primary_contacts.primary_email') }} as primary_email_masked,
        {{ mask_phone('primary_contacts.primary_phone') }} as primary_phone_masked,
        {{ salted_hash('primary_contacts.primary_email') }} as primary_email_hash,
        {{ salted_hash('primary_contacts.primary_phone') }} as primary_phone_hash,
        cast(identifier_summary.n_identifiers as {{ dbt.type_int() }}) as n_identifiers,
        cast(identifier_summary.n_emails as {{ dbt.type_int() }}) as n_emails,
        cast(identifier_summary.n_phones as {{ dbt.type_int() }}) as n_phones,
        cast(identifier_summary.n_devices as {{ dbt.type_int() }}) as n_devices,
        touchpoint_summary.first_seen_at,
        touchpoint_summary.last_seen_at,
        first_touches.channel as acquisition_channel,
        cast(coalesce(touchpoint_summary.n_touchpoints, 0) as {{ dbt.type_int() }})
            as n_touchpoints,
        cast(coalesce(touchpoint_summary.n_channels, 0) as {{ dbt.type_int() }}) as n_channels,
        cast(coalesce(touchpoint_summary.n_purchases, 0) as {{ dbt.type_int() }}) as n_purchases,
        touchpoint_summary.first_purchased_at,
        touchpoint_summary.last_purchased_at,
        cast(coalesce(touchpoint_summary.lifetime_revenue_eur, 0) as {{ type_double() }})
            as lifetime_revenue_eur,
        coalesce(current_stages.current_stage, 'awareness') as current_stage,
        current_stages.current_stage_since
    from identifier_summary
    left join primary_contacts
        on identifier_summary.customer_id = primary_contacts.customer_id
    -- A customer is someone a record resolves to: a shared identifier kept out
    -- of linking (a store's default card) whose records all resolve through
    -- other identifiers is a node of its own, not a person.
    inner join touchpoint_summary
        on identifier_summary.customer_id = touchpoint_summary.customer_id
    left join first_touches
        on identifier_summary.customer_id = first_touches.customer_id
    left join current_stages
        on identifier_summary.customer_id = current_stages.customer_id
)

select * from joined
