{#-
    Multi-touch attribution, one row per conversion, attribution model,
    channel and campaign: the share of the conversion (credit) and of its
    revenue each channel and campaign earns under five models side by side.
    Touches of one channel and campaign in a path add up; rows with no credit
    are left out. Per path of n touches (touch i = 1..n, in time order):
      first_touch     1 for i = 1
      last_touch      1 for i = n
      linear          1 / n
      time_decay      w_i / sum(w), w_i = 0.5 ^ (days before conversion / half-life)
      position_based  n = 1: 1; n = 2: first / (first + last) and last / (first + last)
                      (50/50 with the default 40/40); n >= 3: first share (0.4) to i = 1,
                      last share (0.4) to i = n, the rest (0.2) split evenly over the middle
    A conversion without a touch in the window is credited in full to
    'direct / none' by every model.
-#}

{%- set settings = attribution_settings() %}
{%- set first_share = settings.first_share %}
{%- set last_share = settings.last_share %}

with

paths as (
    select * from {{ ref('int_attribution_paths') }}
),

weighted as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        touch_index,
        path_length,
        {{ attribution_time_decay_weight(
            'days_before_conversion', settings.half_life_days) }} as time_decay_weight
    from paths
),

with_path_totals as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        touch_index,
        path_length,
        time_decay_weight,
        sum(time_decay_weight) over (partition by conversion_id) as path_time_decay_weight
    from weighted
),

credited as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        case when touch_index = 1 then 1.0 else 0.0 end as first_touch_credit,
        case when touch_index = path_length then 1.0 else 0.0 end as last_touch_credit,
        1.0 / path_length as linear_credit,
        time_decay_weight / path_time_decay_weight as time_decay_credit,
        case
            when path_length = 1 then 1.0
            when path_length = 2 and touch_index = 1
                then {{ first_share }} / ({{ first_share }} + {{ last_share }})
            when path_length = 2
                then {{ last_share }} / ({{ first_share }} + {{ last_share }})
            when touch_index = 1 then {{ first_share }}
            when touch_index = path_length then {{ last_share }}
            else (1.0 - {{ first_share }} - {{ last_share }}) / (path_length - 2)
        end as position_based_credit
    from with_path_totals
),

unpivoted as (
    {%- for model in settings.models %}
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        '{{ model }}' as attribution_model,
        cast({{ model }}_credit as {{ type_double() }}) as credit
    from credited
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
),

aggregated as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        attribution_model,
        -- Capped: the shares of one conversion can sum to 1.0000000000000002 in
        -- floating point.
        least(sum(credit), 1.0) as credit
    from unpivoted
    group by
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        is_first_conversion,
        n_touches,
        channel,
        campaign,
        attribution_model
    having sum(credit) > 0
),

final as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        cast(converted_at as date) as conversion_date,
        cast(revenue_eur as {{ type_double() }}) as revenue_eur,
        is_first_conversion,
        cast(n_touches as {{ dbt.type_bigint() }}) as n_touches,
        channel,
        campaign,
        attribution_model,
        cast(credit as {{ type_double() }}) as credit,
        cast(credit * revenue_eur as {{ type_double() }}) as attributed_revenue_eur
    from aggregated
)

select * from final
