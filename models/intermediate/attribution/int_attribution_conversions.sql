{#-
    Conversions to attribute: the touchpoints whose type is in
    var('attribution_conversion_types') (purchases, online and in store, and
    paid subscription starts), with their revenue in EUR net of refunds (0 for
    a subscription start, which carries no amount). The customer's first
    conversion is their acquisition (new customer in channel_performance_*).
-#}

{%- set settings = attribution_settings() %}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

conversions as (
    select
        touchpoint_id as conversion_id,
        customer_id,
        touchpoint_type as conversion_type,
        occurred_at as converted_at,
        cast(coalesce(revenue_eur, 0) as {{ type_double() }}) as revenue_eur
    from touchpoints
    where touchpoint_type in (
        {%- for conversion_type in settings.conversion_types %}
        '{{ conversion_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
),

numbered as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        row_number() over (
            partition by customer_id
            order by converted_at, conversion_id
        ) as conversion_number
    from conversions
),

final as (
    select
        conversion_id,
        customer_id,
        conversion_type,
        converted_at,
        revenue_eur,
        cast(conversion_number as {{ dbt.type_bigint() }}) as conversion_number,
        conversion_number = 1 as is_first_conversion
    from numbered
)

select * from final
