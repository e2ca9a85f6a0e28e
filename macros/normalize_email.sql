{#-
    An email address in the one form used to match people across channels:
    trimmed and lower case. Empty strings and values that are not an address
    (not exactly one @, no dot inside the domain, whitespace inside) become null.

        {{ normalize_email('customer_email') }} as email
-#}
{% macro normalize_email(column) -%}
    {{ return(adapter.dispatch('normalize_email')(column)) }}
{%- endmacro %}

{% macro default__normalize_email(column) -%}
    {%- set cleaned = 'lower(' ~ trim_whitespace(column) ~ ')' -%}
    nullif({{ regex_extract(cleaned, "'^[^@ ]+@[^@ .]+([.][^@ .]+)+$'") }}, '')
{%- endmacro %}
