{#-
    Moves between lifecycle stages by the month customers entered the stage
    they left (from_stage): how many of the customers who entered from_stage
    that month moved on to to_stage, the share of them (conversion_rate, in
    [0, 1] because every spell ends at most once), and how long they stayed
    in from_stage (median and 90th percentile, in days).
-#}

with

spells as (
    select * from {{ ref('customer_stage_history') }}
),

moves as (
    select
        earlier.customer_id,
        cast({{ dbt.date_trunc('month', 'earlier.valid_from') }} as date) as month,
        earlier.stage as from_stage,
        later.stage as to_stage,
        {{ dbt.datediff('earlier.valid_from', 'later.valid_from', 'second') }} / 86400.0
            as days_in_from_stage
    from spells as earlier
    inner join spells as later
        on earlier.customer_id = later.customer_id
        and later.spell_number = earlier.spell_number + 1
),

entrants as (
    select
        cast({{ dbt.date_trunc('month', 'valid_from') }} as date) as month,
        stage,
        count(*) as entered
    from spells
    group by cast({{ dbt.date_trunc('month', 'valid_from') }} as date), stage
),

aggregated as (
    select
        month,
        from_stage,
        to_stage,
        count(*) as transitions,
        {{ percentile('days_in_from_stage', 0.5) }} as median_days_in_from_stage,
        {{ percentile('days_in_from_stage', 0.9) }} as p90_days_in_from_stage
    from moves
    group by month, from_stage, to_stage
),

final as (
    select
        aggregated.month,
        aggregated.from_stage,
        aggregated.to_stage,
        cast(aggregated.transitions as {{ dbt.type_bigint() }}) as transitions,
        cast(entrants.entered as {{ dbt.type_bigint() }}) as from_stage_entrants,
        cast(aggregated.transitions as {{ type_double() }}) / entrants.entered
            as conversion_rate,
        cast(aggregated.median_days_in_from_stage as {{ type_double() }})
            as median_days_in_from_stage,
        cast(aggregated.p90_days_in_from_stage as {{ type_double() }})
            as p90_days_in_from_stage
    from aggregated
    inner join entrants
        on aggregated.month = entrants.month
        and aggregated.from_stage = entrants.stage
)

select * from final
