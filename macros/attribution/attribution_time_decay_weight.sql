{#-
    Time-decay weight of a touch that happened days_before_conversion days
    before the conversion: 2 ^ (-days / half_life), so a touch one half-life
    before the conversion weighs half as much as one at the conversion.
    `power` exists in DuckDB and Spark SQL alike; the dispatch is here so an
    engine without it can override (e.g. exp(-ln(2) * days / half_life)).
-#}
{% macro attribution_time_decay_weight(days_before_conversion, half_life_days) -%}
    {{ return(adapter.dispatch('attribution_time_decay_weight')(days_before_conversion, half_life_days)) }}
{%- endmacro %}

{% macro default__attribution_time_decay_weight(days_before_conversion, half_life_days) -%}
    power(
        cast(0.5 as {{ type_double() }}),
        cast({{ days_before_conversion }} as {{ type_double() }})
            / cast({{ half_life_days }} as {{ type_double() }})
    )
{%- endmacro %}
