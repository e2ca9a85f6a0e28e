{#-
    Attributed conversions and revenue per month (of the conversion), channel
    and attribution model: the five models of attribution_credits side by side.
    Per month and model, attributed_conversions adds up to the number of
    conversions and attributed_revenue_eur to their revenue.
-#}

with

credits as (
    select * from {{ ref('attribution_credits') }}
),

aggregated as (
    select
        cast({{ dbt.date_trunc('month', 'credits.conversion_date') }} as date) as month,
        credits.channel,
        credits.attribution_model,
        sum(credits.credit) as attributed_conversions,
        sum(credits.attributed_revenue_eur) as attributed_revenue_eur,
        sum(case when credits.is_first_conversion then credits.credit else 0 end)
            as attributed_new_customers
    from credits
    group by
        cast({{ dbt.date_trunc('month', 'credits.conversion_date') }} as date),
        credits.channel,
        credits.attribution_model
),

final as (
    select
        month,
        channel,
        attribution_model,
        cast(attributed_conversions as {{ type_double() }}) as attributed_conversions,
        cast(attributed_revenue_eur as {{ type_double() }}) as attributed_revenue_eur,
        cast(attributed_new_customers as {{ type_double() }}) as attributed_new_customers
    from aggregated
)

select * from final
