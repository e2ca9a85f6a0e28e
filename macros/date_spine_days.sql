{#-
    One row per day from start_date to end_date inclusive (both SQL
    expressions of type date), as date_day. Portable: a cross join of digits
    (up to 10,000 days) rather than an engine's generate_series.
-#}
{% macro date_spine_days(start_date, end_date) -%}
    with digits as (
        {%- for digit in range(10) %}
        select {{ digit }} as digit{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    ),

    numbers as (
        select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as n
        from digits as ones
        cross join digits as tens
        cross join digits as hundreds
        cross join digits as thousands
    ),

    bounds as (
        select
            cast({{ start_date }} as date) as first_day,
            cast({{ end_date }} as date) as last_day
    )

    select cast({{ dbt.dateadd('day', 'numbers.n', 'bounds.first_day') }} as date) as date_day
    from numbers
    cross join bounds
    where numbers.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
{%- endmacro %}
