{#-
    Personal data discipline (README, "Personal data"): raw identifiers stay in the
    restricted schemas (raw, staging, intermediate, pii); marts carry salted hashes
    or masked forms.

    salted_hash(expression): hex SHA-256 of the salt and the value. The salt comes
    from the env var LIFECYCLE_PII_SALT (set it in production and keep it secret:
    without it, a hash of a known email can be recomputed by anyone); the demo
    default is 'lifecycle-demo-salt'. Null stays null.
-#}
{% macro pii_salt() -%}
    {{ return(env_var('LIFECYCLE_PII_SALT', 'lifecycle-demo-salt')) }}
{%- endmacro %}

{% macro salted_hash(expression) -%}
    {{ return(adapter.dispatch('salted_hash')(expression)) }}
{%- endmacro %}

{% macro default__salted_hash(expression) -%}
    case when {{ expression }} is not null
        then sha2({{ dbt.concat(["'" ~ pii_salt() ~ "|'", expression]) }}, 256) end
{%- endmacro %}

{% macro duckdb__salted_hash(expression) -%}
    case when {{ expression }} is not null
        then sha256({{ dbt.concat(["'" ~ pii_salt() ~ "|'", expression]) }}) end
{%- endmacro %}


{#- mask_email: the first character of the local part, then ***, then the domain
    (jane.doe@example.com -> j***@example.com). -#}
{% macro mask_email(expression) -%}
    case when {{ expression }} is not null then {{ dbt.concat([
        "substr(" ~ expression ~ ", 1, 1)",
        "'***@'",
        dbt.split_part(expression, "'@'", 2),
    ]) }} end
{%- endmacro %}


{#- mask_phone: the country code's first digits and the last two digits
    (+447700900123 -> +44*******23). -#}
{% macro mask_phone(expression) -%}
    case when {{ expression }} is not null then {{ dbt.concat([
        "substr(" ~ expression ~ ", 1, 3)",
        "'*******'",
        dbt.right(expression, "2"),
    ]) }} end
{%- endmacro %}
