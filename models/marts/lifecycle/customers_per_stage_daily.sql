{#- How many customers were in each stage at the end of each day. -#}

with

spells as (
    select * from {{ ref('customer_stage_history') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

days as (
    {{ date_spine_days(
        "(select min(valid_from) from " ~ ref('customer_stage_history') ~ ")",
        "(select max(coalesce(valid_to, valid_from)) from " ~ ref('customer_stage_history') ~ ")"
    ) }}
),

day_ends as (
    select
        date_day,
        {{ dbt.dateadd('day', 1, 'date_day') }} as next_day_start
    from days
),

counted as (
    select
        day_ends.date_day as stage_date,
        spells.stage,
        count(distinct spells.customer_id) as n_customers
    from day_ends
    inner join spells
        on spells.valid_from < day_ends.next_day_start
        and (spells.valid_to is null or spells.valid_to >= day_ends.next_day_start)
    group by day_ends.date_day, spells.stage
),

final as (
    select
        counted.stage_date,
        counted.stage,
        cast(stages.stage_order as {{ dbt.type_int() }}) as stage_order,
        cast(counted.n_customers as {{ dbt.type_bigint() }}) as n_customers
    from counted
    inner join stages on counted.stage = stages.stage
)

select * from final
