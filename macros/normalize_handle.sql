{#-
    A social media handle in one form: trimmed, lower case, without the
    leading @ ('@Brand_Fan ' -> 'brand_fan'); empty -> null.

        {{ normalize_handle('handle') }} as social_handle
-#}
{% macro normalize_handle(column) -%}
    {{ return(adapter.dispatch('normalize_handle')(column)) }}
{%- endmacro %}

{% macro default__normalize_handle(column) -%}
    nullif(
        trim(
            {{ regex_replace('lower(' ~ trim_whitespace(column) ~ ')', "'^@+'", "''") }}
        ),
        ''
    )
{%- endmacro %}
