{{ config(materialized='table') }}
{#- A table, not a view: the touchpoints mart reads it, and in an incremental
    run its post-hook reads it again (as a view each read recomputed it; README,
    Performance). Its touchpoint_id is tested unique in the mart, not here: every
    touchpoint with a customer is in the mart, and a unique test here read 49M
    ids again (6.7 s at 1M persons). -#}
{#-
    Every customer-level interaction from every channel in one shape, before
    the customer is attached. signal_type is what the stage rules and lead
    score weights match on: the touchpoint type, except that a web page view
    of a product, cart or checkout page is product_page_view and one of the
    welcome page after a sign-up is signup_page_view. touchpoint_id names
    the source record (<record type>:<source id>) and the touchpoint type; the
    record itself is not a column (nothing reads it, and writing 49M such
    strings took 6 s at 1M persons). identity_record_key is the integer key
    (macro identity_key) of its identity record (macro identity_record_id:
    the record's set of identifiers), through which the customer is resolved
    (int_record_customers.record_key): the key, not the id, is written, so the
    mart and its post-hook join on it without hashing 49M strings each.
-#}

with

page_views as (
    select * from {{ ref('stg_web__page_views') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
),

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

carts as (
    select * from {{ ref('stg_shop__carts') }}
),

subscriptions as (
    select * from {{ ref('stg_shop__subscriptions') }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

calls as (
    select * from {{ ref('stg_call_centre__calls') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

survey_responses as (
    select * from {{ ref('stg_support__survey_responses') }}
),

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

referrals as (
    select * from {{ ref('stg_referrals__referrals') }}
),

listens as (
    select * from {{ ref('stg_media__listens') }}
),

affiliate_conversions as (
    select * from {{ ref('stg_affiliates__conversions') }}
),

{%- set null_string = "cast(null as " ~ dbt.type_string() ~ ")" %}
{%- set null_number = "cast(null as " ~ dbt.type_numeric() ~ ")" %}

unioned as (
    select
        {{ dbt.concat(["'web:'", "event_id"]) }} as record_id,
        {{ identity_record_id('web') }} as identity_record_id,
        'web' as channel,
        'page_view' as touchpoint_type,
        event_at as occurred_at,
        device_type,
        utm_source,
        utm_campaign as campaign,
        {{ null_number }} as revenue_amount,
        {{ null_string }} as currency,
        {{ null_number }} as score,
        case
            when url like '%/account/welcome%' then 'signup_page_view'
            when url like '%/products/%' or url like '%/cart%' or url like '%/checkout%'
                then 'product_page_view'
        end as page_signal_type
    from page_views

    union all

    select
        {{ dbt.concat(["'app:'", "event_id"]) }},
        {{ identity_record_id('app') }},
        'app',
        -- app_open stays; purchase -> app_purchase (the order itself comes from the shop)
        case
            when event_name like 'app%' then event_name
            else {{ dbt.concat(["'app_'", "event_name"]) }}
        end,
        event_at,
        'mobile',
        {{ null_string }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from app_events

    union all

    select
        {{ dbt.concat(["'email:'", "event_id"]) }},
        {{ identity_record_id('email') }},
        'email',
        {{ dbt.concat(["'email_'", "event_type"]) }},
        event_at,
        {{ null_string }},
        'email',
        campaign,
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from email_events

    union all

    select
        {{ dbt.concat(["'social_mention:'", "mention_id"]) }},
        {{ identity_record_id('social_mention') }},
        'social',
        {{ dbt.concat(["'mention_'", "sentiment"]) }},
        mentioned_at,
        {{ null_string }},
        platform,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from mentions

    union all

    select
        {{ dbt.concat(["'crm_lead:'", "lead_id"]) }},
        {{ identity_record_id('crm_lead') }},
        'crm',
        'lead_created',
        created_at,
        {{ null_string }},
        source,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from leads

    union all

    select
        {{ dbt.concat(["'order:'", "order_id"]) }},
        {{ identity_record_id('order') }},
        'shop',
        'purchase',
        ordered_at,
        {{ null_string }},
        utm_source,
        {{ null_string }},
        total_amount - coalesce(refunded_amount, 0),
        currency,
        {{ null_number }},
        {{ null_string }}
    from orders

    union all

    select
        {{ dbt.concat(["'cart:'", "cart_id"]) }},
        {{ identity_record_id('cart') }},
        'shop',
        'cart_created',
        created_at,
        {{ null_string }},
        {{ null_string }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from carts

    union all

    select
        {{ dbt.concat(["'subscription:'", "subscription_id"]) }},
        {{ identity_record_id('subscription') }},
        'shop',
        'trial_started',
        trial_started_at,
        {{ null_string }},
        {{ null_string }},
        plan,
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from subscriptions
    where trial_started_at is not null

    union all

    select
        {{ dbt.concat(["'subscription:'", "subscription_id"]) }},
        {{ identity_record_id('subscription') }},
        'shop',
        'subscription_started',
        paid_started_at,
        {{ null_string }},
        {{ null_string }},
        plan,
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from subscriptions
    where paid_started_at is not null

    union all

    select
        {{ dbt.concat(["'subscription:'", "subscription_id"]) }},
        {{ identity_record_id('subscription') }},
        'shop',
        'subscription_cancelled',
        cancelled_at,
        {{ null_string }},
        {{ null_string }},
        plan,
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from subscriptions
    where cancelled_at is not null

    union all

    select
        {{ dbt.concat(["'pos:'", "transaction_id"]) }},
        {{ identity_record_id('pos') }},
        'pos',
        case when transaction_type = 'return' then 'return' else 'purchase' end,
        transacted_at,
        {{ null_string }},
        store_id,
        {{ null_string }},
        amount,
        currency,
        {{ null_number }},
        {{ null_string }}
    from pos_transactions

    union all

    select
        {{ dbt.concat(["'call:'", "call_id"]) }},
        {{ identity_record_id('call') }},
        'call_centre',
        {{ dbt.concat(["'call_'", "direction"]) }},
        started_at,
        {{ null_string }},
        reason,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from calls

    union all

    select
        {{ dbt.concat(["'ticket:'", "ticket_id"]) }},
        {{ identity_record_id('ticket') }},
        'support',
        'support_ticket',
        opened_at,
        {{ null_string }},
        contact_channel,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        csat_score,
        {{ null_string }}
    from tickets

    union all

    select
        {{ dbt.concat(["'survey:'", "response_id"]) }},
        {{ identity_record_id('survey') }},
        'support',
        {{ dbt.concat(["'survey_'", "survey_type"]) }},
        responded_at,
        {{ null_string }},
        {{ null_string }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        score,
        {{ null_string }}
    from survey_responses
    where email is not null

    union all

    select
        {{ dbt.concat(["'review:'", "review_id"]) }},
        {{ identity_record_id('review') }},
        'reviews',
        'review',
        reviewed_at,
        {{ null_string }},
        platform,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        rating,
        {{ null_string }}
    from reviews
    where email is not null or social_handle is not null

    union all

    select
        {{ dbt.concat(["'referrer:'", "referral_id"]) }},
        {{ identity_record_id('referrer') }},
        'referrals',
        'referral_sent',
        referred_at,
        {{ null_string }},
        {{ null_string }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from referrals

    union all

    select
        {{ dbt.concat(["'referee:'", "referral_id"]) }},
        {{ identity_record_id('referee') }},
        'referrals',
        'referral_received',
        referred_at,
        {{ null_string }},
        'referral',
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from referrals

    union all

    select
        {{ dbt.concat(["'media:'", "episode_id", "'|'", "platform", "'|'",
            dbt.cast("media_date", api.Column.translate_type("string")), "'|'",
            salted_hash("email")]) }},
        {{ identity_record_id('media') }},
        'media',
        {{ dbt.concat(["media_type", "'_listen'"]) }},
        {{ dbt.cast("media_date", api.Column.translate_type("timestamp")) }},
        {{ null_string }},
        platform,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from listens
    where email is not null

    union all

    select
        {{ dbt.concat(["'order:'", "affiliate_conversions.order_id"]) }},
        {{ identity_record_id('order', prefix='orders.') }},
        'affiliates',
        'affiliate_conversion',
        converted_at,
        {{ null_string }},
        affiliate_id,
        {{ null_string }},
        {{ null_number }},
        {{ null_string }},
        {{ null_number }},
        {{ null_string }}
    from affiliate_conversions
    -- An affiliate conversion is the shop order's record: its customer is the order's.
    left join orders on affiliate_conversions.order_id = orders.order_id
),

final as (
    select
        {{ dbt.concat(["record_id", "':'", "touchpoint_type"]) }} as touchpoint_id,
        {{ identity_key('identity_record_id') }} as identity_record_key,
        channel,
        touchpoint_type,
        -- The lifecycle signal: the touchpoint type, refined for web pages by their URL.
        coalesce(page_signal_type, touchpoint_type) as signal_type,
        occurred_at,
        device_type,
        utm_source as source_detail,
        campaign,
        revenue_amount,
        currency,
        score
    from unioned
)

select * from final
