{#-
    A phone number in E.164 (+447700900123), so that one number written in
    different ways matches across channels; null when it cannot be one.

        {{ normalize_phone('phone_number') }} as phone

    `country_code` (digits, default var('default_phone_country_code')) is the
    country of national numbers. Rules, in order:
    - keep only digits and a leading +; a bracketed trunk zero "(0)" goes
      first, so '+44 (0)7700 900123' loses it;
    - a placeholder of one repeated digit, with or without the 00 / country
      code / trunk 0 prefix ('0000000000', '+44 1111 111111') -> null;
    - '+<digits>' stays; '00<digits>' -> '+<digits>';
      national '0<digits>' -> '+<country_code><digits>';
      '<country_code><digits>' of international length (country code + at
      least 9 digits, 15 at most) -> '+<country_code><digits>';
      anything else (a national number without its 0) -> null;
    - the result must match ^[+][1-9][0-9]{7,14}$, else null.
-#}
{% macro normalize_phone(column, country_code=none) -%}
    {{ return(adapter.dispatch('normalize_phone')(column, country_code)) }}
{%- endmacro %}

{% macro default__normalize_phone(column, country_code=none) -%}
    {%- if country_code is none -%}
        {%- set country_code = var('default_phone_country_code') -%}
    {%- endif -%}
    {%- set cc = (country_code | string | trim).lstrip('+') -%}
    {%- if not cc.isdigit() -%}
        {{ exceptions.raise_compiler_error(
            "normalize_phone: country code must be digits, got '" ~ country_code ~ "'"
        ) }}
    {%- endif -%}

    {#- "(0)" goes as a whole: the trunk zero in '+44 (0)7700 900123' -#}
    {%- set digits_and_plus = regex_replace(column, "'[(]0[)]|[^0-9+]'", "''") -%}
    {%- set digits = regex_replace(column, "'[(]0[)]|[^0-9]'", "''") -%}
    {%- set placeholder = "'^(00)?(" ~ cc ~ ")?0?(0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)$'" -%}

    {%- set international -%}
        case
            when {{ digits_and_plus }} like '+%'
                then {{ dbt.concat(["'+'", digits]) }}
            when {{ digits }} like '00%'
                then {{ dbt.concat(["'+'", 'substring(' ~ digits ~ ', 3)']) }}
            when {{ digits }} like '0%'
                then {{ dbt.concat(["'+" ~ cc ~ "'", 'substring(' ~ digits ~ ', 2)']) }}
            when {{ digits }} like '{{ cc }}%'
                and {{ dbt.length(digits) | trim }} between {{ cc | length + 9 }} and 15
                then {{ dbt.concat(["'+'", digits]) }}
        end
    {%- endset -%}

    case
        when {{ regex_matches(digits, placeholder) }}
            then null
        else nullif({{ regex_extract(international, "'^[+][1-9][0-9]{7,14}$'") }}, '')
    end
{%- endmacro %}
