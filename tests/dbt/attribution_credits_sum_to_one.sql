{{ config(meta={"dagster": {"ref": {"name": "attribution_credits"}}}) }}
-- Every conversion is credited once in full by every attribution model: for each
-- conversion (int_attribution_conversions) and each of the five models, the
-- credits in attribution_credits sum to 1 and the attributed revenue to the
-- conversion's revenue. A conversion missing from a model fails too.
with

conversions as (
    select * from {{ ref('int_attribution_conversions') }}
),

credits as (
    select * from {{ ref('attribution_credits') }}
),

models as (
    {%- for model in attribution_settings().models %}
    select '{{ model }}' as attribution_model{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

expected as (
    select conversions.conversion_id, conversions.revenue_eur, models.attribution_model
    from conversions
    cross join models
),

actual as (
    select
        conversion_id,
        attribution_model,
        sum(credit) as total_credit,
        sum(attributed_revenue_eur) as total_attributed_revenue_eur
    from credits
    group by conversion_id, attribution_model
)

select
    expected.conversion_id,
    expected.attribution_model,
    expected.revenue_eur,
    actual.total_credit,
    actual.total_attributed_revenue_eur
from expected
left join actual
    on expected.conversion_id = actual.conversion_id
    and expected.attribution_model = actual.attribution_model
where actual.conversion_id is null
    or abs(actual.total_credit - 1) > 0.000001
    or abs(actual.total_attributed_revenue_eur - expected.revenue_eur) > 0.000001
