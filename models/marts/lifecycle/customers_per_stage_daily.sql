{#-
    How many customers were in each lifecycle stage at the end of each day.
    Counted as cumulative entries minus exits per stage per day
    (O(spells + days x stages)), never as days x spells: a spell counts from
    the day of valid_from until the day before valid_to's day. Spells that
    start and end on one day never count at a day's end.
-#}

with

spells as (
    select * from {{ ref('customer_stage_history') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
    where framework = '{{ var("lifecycle_framework", "default") }}'
),

bounds as (
    select
        cast(min(valid_from) as date) as first_day,
        cast(max(last_touchpoint_at) as date) as last_day
    from spells
),

days as (
    {{ date_spine_days(
        "(select first_day from bounds)",
        "(select last_day from bounds)"
    ) }}
),

movements as (
    select
        cast(valid_from as date) as date_day,
        stage,
        1 as delta
    from spells
    where valid_to is null or cast(valid_to as date) > cast(valid_from as date)

    union all

    select
        cast(valid_to as date) as date_day,
        stage,
        -1 as delta
    from spells
    where valid_to is not null and cast(valid_to as date) > cast(valid_from as date)
),

daily_net as (
    select date_day, stage, sum(delta) as net_change
    from movements
    group by date_day, stage
),

grid as (
    select
        days.date_day,
        stages.stage,
        stages.stage_order,
        coalesce(daily_net.net_change, 0) as net_change
    from days
    cross join stages
    left join daily_net
        on days.date_day = daily_net.date_day
        and stages.stage = daily_net.stage
),

final as (
    select
        grid.date_day,
        grid.stage,
        cast(grid.stage_order as {{ dbt.type_int() }}) as stage_order,
        cast(
            sum(grid.net_change) over (
                partition by grid.stage
                order by grid.date_day
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as customers
    from grid
)

select * from final
