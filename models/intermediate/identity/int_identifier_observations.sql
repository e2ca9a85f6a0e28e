{#-
    Every identifier of every identity record, one row per identity record and
    identifier. Identity records are the identity graph's hyperedges:
    identifiers seen in one record belong to one person. An identity record
    is the distinct set of identifiers of the rows of one record type
    (macro identity_record_id; the specs are macro identity_record_specs),
    with when it was first and last seen and in how many rows. The referral
    row is two records (referrer and referee are different people). is_blocked
    marks identifiers on the identifier_blocklist seed or matching a pattern of
    the identifier_blocklist_patterns seed (test addresses, placeholder
    phones): they never link. node_key and record_key are integer keys of the
    node and the record (macro identity_key): the stitching models join on
    them. n_record_identifiers counts the record's identifiers: a record with
    one links nobody, so the stitching models leave those records out where
    they pair identifiers (about half the observations at scale). Identifiers
    shared by rule (int_shared_identifiers) are decided from these
    observations.
-#}
{%- set ctes = [] -%}

with

{% for spec in identity_record_specs() %}
{%- set columns = identity_record_columns(spec) %}
{%- set sets_cte = spec.record ~ '_sets' %}
-- The distinct identifier sets of the {{ spec.record }} rows (grouped before any
-- string is built: a visitor's cookie repeats in every page view).
{{ sets_cte }} as (
    select
        {%- for _, column in columns %}
        {{ column }},
        {%- endfor %}
        min({{ spec.at }}) as first_observed_at,
        max({{ spec.at }}) as last_observed_at,
        count(*) as n_observations
    from {{ ref(spec.model) }}
    where not ({{ identity_record_has_no_identifiers(spec) }})
    group by {% for _, column in columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
),
{%- set keyed_cte = spec.record ~ '_records' %}

{{ keyed_cte }} as (
    select
        {{ sets_cte }}.*,
        {{ identity_record_id(spec.record, anonymous=false) }} as record_id,
        {% for _, column in columns -%}
        case when {{ column }} is not null then 1 else 0 end
        {%- if not loop.last %} + {% endif %}
        {%- endfor %} as n_record_identifiers
    from {{ sets_cte }}
),
{%- for identifier_type, column in columns %}
{%- set cte = spec.record ~ '_' ~ column -%}
{%- do ctes.append(cte) %}

{{ cte }} as (
    select
        '{{ spec.record }}' as record_type,
        record_id,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        first_observed_at,
        last_observed_at,
        n_observations,
        n_record_identifiers
    from {{ keyed_cte }}
    where {{ column }} is not null
),
{%- endfor %}
{%- if spec.anonymous %}
{%- set cte = spec.record ~ '_anonymous' -%}
{%- do ctes.append(cte) %}

{{ cte }} as (
    -- A purchase with no identifier is still a touchpoint: it gets an
    -- anonymous customer of its own instead of being dropped.
    select
        '{{ spec.record }}' as record_type,
        {{ identity_record_id(spec.record) }} as record_id,
        '{{ spec.anonymous }}' as identifier_type,
        {{ spec.id }} as identifier_value,
        {{ spec.at }} as first_observed_at,
        {{ spec.at }} as last_observed_at,
        1 as n_observations,
        1 as n_record_identifiers
    from {{ ref(spec.model) }}
    where {{ identity_record_has_no_identifiers(spec) }}
),
{%- endif %}
{% endfor %}

unioned as (
{%- for cte in ctes %}
    select * from {{ cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

blocklist as (
    select * from {{ ref('identifier_blocklist') }}
),

distinct_values as (
    select distinct identifier_type, identifier_value from unioned
),

{#- Each distinct value is matched once against the patterns of its type. The
    patterns are read from the seed when the model runs and written into the
    query as constants: as a joined column each pattern was compiled again for
    every value it was matched with (at 1M persons 30 s of CPU, most of this
    model's time). Ordered by reason, the first pattern to match gives the
    smallest reason, as min(reason) over every match did. Where the seed is
    not built yet (a compile on an empty warehouse), the join below does the
    same work. -#}
{%- set pattern_rows = none %}
{%- if execute %}
    {%- set patterns_relation = load_relation(ref('identifier_blocklist_patterns')) %}
    {%- if patterns_relation is not none %}
        {%- set pattern_rows = run_query(
            "select identifier_type, pattern, reason from " ~ patterns_relation
            ~ " order by reason, identifier_type, pattern"
        ).rows %}
    {%- endif %}
{%- endif %}
{%- if pattern_rows is not none %}
pattern_matches as (
    select identifier_type, identifier_value, reason
    from (
        select
            identifier_type,
            identifier_value,
            {%- if pattern_rows | length > 0 %}
            case
                {%- for row in pattern_rows %}
                when identifier_type = '{{ row[0] | replace("'", "''") }}'
                    and {{ regex_matches('identifier_value', "'" ~ (row[1] | replace("'", "''")) ~ "'") }}
                    then '{{ row[2] | replace("'", "''") }}'
                {%- endfor %}
            end as reason
            {%- else %}
            cast(null as {{ dbt.type_string() }}) as reason
            {%- endif %}
        from distinct_values
    ) as matched
    where reason is not null
),
{%- else %}
pattern_matches as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        min(blocklist_patterns.reason) as reason
    from distinct_values
    inner join {{ ref('identifier_blocklist_patterns') }} as blocklist_patterns
        on distinct_values.identifier_type = blocklist_patterns.identifier_type
        and {{ regex_matches('distinct_values.identifier_value', 'blocklist_patterns.pattern') }}
    group by distinct_values.identifier_type, distinct_values.identifier_value
),
{%- endif %}

final as (
    select
        unioned.record_type,
        unioned.record_id,
        unioned.identifier_type,
        unioned.identifier_value,
        {{ dbt.concat(["unioned.identifier_type", "':'", "unioned.identifier_value"]) }} as node_id,
        {{ identity_key(dbt.concat(["unioned.identifier_type", "':'", "unioned.identifier_value"])) }}
            as node_key,
        {{ identity_key('unioned.record_id') }} as record_key,
        unioned.first_observed_at,
        unioned.last_observed_at,
        cast(unioned.n_observations as {{ dbt.type_bigint() }}) as n_observations,
        cast(unioned.n_record_identifiers as {{ dbt.type_int() }}) as n_record_identifiers,
        blocklist.identifier_value is not null
            or pattern_matches.identifier_value is not null as is_blocked,
        coalesce(blocklist.reason, pattern_matches.reason) as blocked_reason
    from unioned
    left join blocklist
        on unioned.identifier_type = blocklist.identifier_type
        and unioned.identifier_value = blocklist.identifier_value
    left join pattern_matches
        on unioned.identifier_type = pattern_matches.identifier_type
        and unioned.identifier_value = pattern_matches.identifier_value
)

select * from final
