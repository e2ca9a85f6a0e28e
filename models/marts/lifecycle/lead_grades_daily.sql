{#-
    Customers per lead grade at the end of each day, from the grade spells
    (lead_grade_history) as cumulative entries minus exits per grade per day.
    Counts customers with at least one scored touchpoint by then.
-#}

with

spells as (
    select * from {{ ref('lead_grade_history') }}
),

signals as (
    select * from {{ ref('int_lifecycle_signals') }}
),

as_of as (
    {{ lifecycle_as_of('signals') }}
),

grades as (
    select 'Hot' as lead_grade union all
    select 'Warm' union all
    select 'Cold'
),

bounds as (
    select
        (select cast(min(valid_from) as date) from spells) as first_day,
        cast({{ dbt.dateadd('day', -1, 'as_of_at') }} as date) as last_day
    from as_of
),

days as (
    {{ date_spine_days(
        "(select first_day from bounds)",
        "(select last_day from bounds)"
    ) }}
),

movements as (
    select cast(valid_from as date) as date_day, lead_grade, 1 as delta
    from spells
    where valid_to is null or cast(valid_to as date) > cast(valid_from as date)

    union all

    select cast(valid_to as date), lead_grade, -1
    from spells
    where valid_to is not null and cast(valid_to as date) > cast(valid_from as date)
),

daily_net as (
    select date_day, lead_grade, sum(delta) as net_change
    from movements
    group by date_day, lead_grade
),

grid as (
    select
        days.date_day,
        grades.lead_grade,
        coalesce(daily_net.net_change, 0) as net_change
    from days
    cross join grades
    left join daily_net
        on days.date_day = daily_net.date_day
        and grades.lead_grade = daily_net.lead_grade
),

final as (
    select
        grid.date_day,
        grid.lead_grade,
        cast(
            sum(grid.net_change) over (
                partition by grid.lead_grade
                order by grid.date_day
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as customers
    from grid
)

select * from final
