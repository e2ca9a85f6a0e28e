{#-
    Every identifier seen in every customer-level record, one row per record
    and identifier. Records are the identity graph's hyperedges: identifiers
    in one record belong to one person. The referral record is two records
    (referrer and referee are different people). is_blocked marks identifiers
    on the identifier_blocklist seed or matching a pattern of the
    identifier_blocklist_patterns seed (test addresses, placeholder phones):
    they never link. Identifiers shared by rule (int_shared_identifiers) are
    decided from these observations.
-#}
{%- set records = [
    {'model': 'stg_web__page_views', 'record': 'web', 'id': 'event_id', 'at': 'event_at',
     'identifiers': ['cookie_id', 'user_id', 'email']},
    {'model': 'stg_app__events', 'record': 'app', 'id': 'event_id', 'at': 'event_at',
     'identifiers': ['device_id', 'user_id']},
    {'model': 'stg_email__events', 'record': 'email', 'id': 'event_id', 'at': 'event_at',
     'identifiers': ['email']},
    {'model': 'stg_social__mentions', 'record': 'social_mention', 'id': 'mention_id',
     'at': 'mentioned_at', 'identifiers': ['social_handle']},
    {'model': 'stg_crm__leads', 'record': 'crm_lead', 'id': 'lead_id', 'at': 'created_at',
     'identifiers': ['lead_id', 'email', 'phone']},
    {'model': 'stg_shop__orders', 'record': 'order', 'id': 'order_id', 'at': 'ordered_at',
     'identifiers': ['shop_customer_id', 'email', 'phone'], 'anonymous': 'guest_order'},
    {'model': 'stg_shop__carts', 'record': 'cart', 'id': 'cart_id', 'at': 'created_at',
     'identifiers': ['cookie_id', 'shop_customer_id', 'email']},
    {'model': 'stg_shop__subscriptions', 'record': 'subscription', 'id': 'subscription_id',
     'at': 'updated_at', 'identifiers': ['email']},
    {'model': 'stg_pos__transactions', 'record': 'pos', 'id': 'transaction_id',
     'at': 'transacted_at', 'identifiers': ['loyalty_card_id', 'phone', 'email'],
     'anonymous': 'pos_receipt'},
    {'model': 'stg_call_centre__calls', 'record': 'call', 'id': 'call_id', 'at': 'started_at',
     'identifiers': ['phone', 'email']},
    {'model': 'stg_support__tickets', 'record': 'ticket', 'id': 'ticket_id', 'at': 'opened_at',
     'identifiers': ['email', 'social_handle']},
    {'model': 'stg_support__survey_responses', 'record': 'survey', 'id': 'response_id',
     'at': 'responded_at', 'identifiers': ['email']},
    {'model': 'stg_reviews__reviews', 'record': 'review', 'id': 'review_id', 'at': 'reviewed_at',
     'identifiers': ['email', 'social_handle']},
    {'model': 'stg_referrals__referrals', 'record': 'referrer', 'id': 'referral_id',
     'at': 'referred_at', 'identifiers': [('email', 'referrer_email')]},
    {'model': 'stg_referrals__referrals', 'record': 'referee', 'id': 'referral_id',
     'at': 'referred_at', 'identifiers': [('email', 'referee_email')]},
    {'model': 'stg_media__listens', 'record': 'media',
     'id': dbt.concat(["episode_id", "'|'", "platform", "'|'", dbt.cast("media_date", api.Column.translate_type("string")), "'|'", salted_hash("email")]),
     'at': dbt.cast("media_date", api.Column.translate_type("timestamp")),
     'identifiers': ['email']},
] -%}

{%- set ctes = [] -%}

with

{% for spec in records %}
{%- for identifier in spec.identifiers %}
{%- set identifier_type = identifier[0] if identifier is not string else identifier -%}
{%- set column = identifier[1] if identifier is not string else identifier -%}
{%- set cte = spec.record ~ '_' ~ column -%}
{%- do ctes.append(cte) %}
{{ cte }} as (
    select
        '{{ spec.record }}' as record_type,
        {{ dbt.concat(["'" ~ spec.record ~ ":'", spec.id]) }} as record_id,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        {{ spec.at }} as observed_at
    from {{ ref(spec.model) }}
    where {{ column }} is not null
),
{% endfor -%}
{%- if spec.anonymous %}
{%- set cte = spec.record ~ '_anonymous' -%}
{%- do ctes.append(cte) %}
{{ cte }} as (
    -- A purchase with no identifier is still a touchpoint: it gets an
    -- anonymous customer of its own instead of being dropped.
    select
        '{{ spec.record }}' as record_type,
        {{ dbt.concat(["'" ~ spec.record ~ ":'", spec.id]) }} as record_id,
        '{{ spec.anonymous }}' as identifier_type,
        {{ spec.id }} as identifier_value,
        {{ spec.at }} as observed_at
    from {{ ref(spec.model) }}
    where {% for identifier in spec.identifiers %}{{ identifier }} is null{% if not loop.last %} and {% endif %}{% endfor %}
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

blocklist_patterns as (
    select * from {{ ref('identifier_blocklist_patterns') }}
),

distinct_values as (
    select distinct identifier_type, identifier_value from unioned
),

-- Each distinct value is matched once against the patterns of its type.
pattern_matches as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        min(blocklist_patterns.reason) as reason
    from distinct_values
    inner join blocklist_patterns
        on distinct_values.identifier_type = blocklist_patterns.identifier_type
        and {{ regex_matches('distinct_values.identifier_value', 'blocklist_patterns.pattern') }}
    group by distinct_values.identifier_type, distinct_values.identifier_value
),

final as (
    select
        unioned.record_type,
        unioned.record_id,
        unioned.identifier_type,
        unioned.identifier_value,
        {{ dbt.concat(["unioned.identifier_type", "':'", "unioned.identifier_value"]) }} as node_id,
        unioned.observed_at,
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
