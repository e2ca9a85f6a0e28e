{{ config(meta={"dagster": {"ref": {"name": "attribution_by_channel_monthly"}}}) }}
-- For every month and attribution model, attribution_by_channel_monthly adds up
-- to all conversions of the month in the touchpoints mart (purchases and paid
-- subscription starts): attributed_conversions to their number and
-- attributed_revenue_eur to their revenue (EUR, net of refunds). Read from
-- touchpoints directly, not through the attribution models, so a conversion
-- lost or counted twice on the way fails. channel_performance_monthly's revenue
-- (one model) must add up to the same total.
{%- set settings = attribution_settings() %}
with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

by_channel as (
    select * from {{ ref('attribution_by_channel_monthly') }}
),

performance as (
    select * from {{ ref('channel_performance_monthly') }}
),

models as (
    {%- for model in settings.models %}
    select '{{ model }}' as attribution_model{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

conversions_monthly as (
    select
        cast({{ dbt.date_trunc('month', 'touchpoint_date') }} as date) as month,
        count(*) as conversions,
        coalesce(sum(revenue_eur), 0) as revenue_eur
    from touchpoints
    where touchpoint_type in (
        {%- for conversion_type in settings.conversion_types %}
        '{{ conversion_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
    group by cast({{ dbt.date_trunc('month', 'touchpoint_date') }} as date)
),

expected as (
    select conversions_monthly.month, models.attribution_model,
        conversions_monthly.conversions, conversions_monthly.revenue_eur
    from conversions_monthly
    cross join models
    union all
    select month, 'channel_performance_monthly', null, revenue_eur
    from conversions_monthly
),

actual as (
    select month, attribution_model,
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue_eur) as revenue_eur
    from by_channel
    group by month, attribution_model
    union all
    select month, 'channel_performance_monthly', null, sum(revenue_eur)
    from performance
    group by month
),

compared as (
    select
        coalesce(expected.month, actual.month) as month,
        coalesce(expected.attribution_model, actual.attribution_model) as attribution_model,
        expected.conversions as expected_conversions,
        actual.conversions as actual_conversions,
        expected.revenue_eur as expected_revenue_eur,
        actual.revenue_eur as actual_revenue_eur
    from expected
    full outer join actual
        on expected.month = actual.month
        and expected.attribution_model = actual.attribution_model
)

-- A month missing on one side counts as zero there: a month with spend but no
-- conversion has channel_performance_monthly rows of revenue 0 and nothing to
-- expect, which is right; a month with revenue missing on either side fails.
select *
from compared
where abs(coalesce(expected_revenue_eur, 0) - coalesce(actual_revenue_eur, 0)) > 0.01
    or abs(coalesce(expected_conversions, 0) - coalesce(actual_conversions, 0)) > 0.000001
