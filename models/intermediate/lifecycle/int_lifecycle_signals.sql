{#-
    Touchpoints as lifecycle signals: each touchpoint with a signal_type, the
    touchpoint type refined where the web page says more than "page_view"
    (a product, cart or checkout page is product_page_view; the welcome page
    after a web sign-up is signup_page_view). The stage rules
    (seed lifecycle_stage_rules) and the lead score weights
    (seed lifecycle_lead_score_weights) match on signal_type.
-#}

{#- A table, not a view (the folder's default): six models read it (the stage
    engine, lead scores and grades, retention), so every touchpoint is joined to
    its web page once instead of in each of them. -#}
{{ config(materialized='table') }}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

page_views as (
    select * from {{ ref('stg_web__page_views') }}
),

page_kinds as (
    select
        {{ dbt.concat(["'web:'", "event_id", "':page_view'"]) }} as touchpoint_id,
        case
            when url like '%/account/welcome%' then 'signup_page_view'
            when url like '%/products/%' or url like '%/cart%' or url like '%/checkout%'
                then 'product_page_view'
        end as page_signal_type
    from page_views
),

final as (
    select
        touchpoints.customer_id,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.touchpoint_type,
        coalesce(page_kinds.page_signal_type, touchpoints.touchpoint_type) as signal_type,
        touchpoints.occurred_at,
        touchpoints.score
    from touchpoints
    left join page_kinds
        on touchpoints.touchpoint_id = page_kinds.touchpoint_id
)

select * from final
