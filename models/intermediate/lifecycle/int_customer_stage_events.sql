{#-
    The moments a customer entered a lifecycle stage, with the touchpoint that
    moved them. Progress stages are forward-only (as CRM lifecycle stages are):
    a stage counts only if it is beyond every stage reached before. Dissolution
    states follow purchases: churned when var('churn_after_days') pass without
    a purchase, reactivated by the next purchase. Entry rules are described in
    the lifecycle_stages seed.
-#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

as_of as (
    select max(occurred_at) as as_of_at from touchpoints
),

purchases as (
    select
        customer_id,
        touchpoint_id,
        occurred_at,
        row_number() over (
            partition by customer_id order by occurred_at, touchpoint_id
        ) as purchase_number
    from touchpoints
    where touchpoint_type = 'purchase' or touchpoint_type = 'subscription_started'
),

first_conversion as (
    select customer_id, occurred_at as converted_at
    from purchases
    where purchase_number = 1
),

candidate_events as (
    select customer_id, 'awareness' as stage, occurred_at, touchpoint_id
    from touchpoints

    union all

    select customer_id, 'engagement', occurred_at, touchpoint_id
    from touchpoints
    where touchpoint_type in ('email_open', 'email_click', 'app_open', 'app_screen_view', 'app_login')
        or channel in ('social', 'media')

    union all

    select customer_id, 'evaluation', occurred_at, touchpoint_id
    from touchpoints
    where touchpoint_type in ('cart_created', 'app_add_to_cart')

    union all

    select customer_id, 'acquisition', occurred_at, touchpoint_id
    from touchpoints
    where touchpoint_type in ('lead_created', 'app_sign_up', 'trial_started')

    union all

    select customer_id, 'conversion', occurred_at, touchpoint_id
    from purchases
    where purchase_number = 1

    union all

    select customer_id, 'retention', occurred_at, touchpoint_id
    from purchases
    where purchase_number = 2

    union all

    select customer_id, 'loyalty', occurred_at, touchpoint_id
    from purchases
    where purchase_number = {{ var('loyalty_min_purchases', 4) }}

    union all

    select touchpoints.customer_id, 'advocacy', touchpoints.occurred_at, touchpoints.touchpoint_id
    from touchpoints
    inner join first_conversion
        on touchpoints.customer_id = first_conversion.customer_id
        and touchpoints.occurred_at >= first_conversion.converted_at
    where touchpoints.touchpoint_type in ('referral_sent', 'mention_positive')
        or (touchpoints.touchpoint_type = 'review' and touchpoints.score >= 4)
),

first_entries as (
    select
        candidate_events.customer_id,
        candidate_events.stage,
        stages.stage_order,
        min(candidate_events.occurred_at) as entered_at,
        min(candidate_events.touchpoint_id) as touchpoint_id
    from candidate_events
    inner join stages on candidate_events.stage = stages.stage
    inner join (
        select customer_id, stage, min(occurred_at) as first_at
        from candidate_events
        group by customer_id, stage
    ) as firsts
        on candidate_events.customer_id = firsts.customer_id
        and candidate_events.stage = firsts.stage
        and candidate_events.occurred_at = firsts.first_at
    group by candidate_events.customer_id, candidate_events.stage, stages.stage_order
),

progress_ranked as (
    select
        *,
        max(stage_order) over (
            partition by customer_id
            order by entered_at, stage_order
            rows between unbounded preceding and 1 preceding
        ) as highest_stage_before
    from first_entries
),

progress_events as (
    select customer_id, stage, entered_at, touchpoint_id as moved_by_touchpoint_id
    from progress_ranked
    where highest_stage_before is null or stage_order > highest_stage_before
),

purchase_gaps as (
    select
        purchases.customer_id,
        purchases.occurred_at as purchased_at,
        lead(purchases.occurred_at) over (
            partition by purchases.customer_id order by purchases.occurred_at, purchases.touchpoint_id
        ) as next_purchased_at,
        lead(purchases.touchpoint_id) over (
            partition by purchases.customer_id order by purchases.occurred_at, purchases.touchpoint_id
        ) as next_touchpoint_id
    from purchases
),

lapses as (
    select
        purchase_gaps.*,
        {{ dbt.dateadd('day', var('churn_after_days', 90), 'purchase_gaps.purchased_at') }}
            as churned_at
    from purchase_gaps
),

dissolution_events as (
    select customer_id, 'churned' as stage, churned_at as entered_at,
        cast(null as {{ dbt.type_string() }}) as moved_by_touchpoint_id
    from lapses
    cross join as_of
    where churned_at < coalesce(next_purchased_at, as_of.as_of_at)

    union all

    select customer_id, 'reactivated', next_purchased_at, next_touchpoint_id
    from lapses
    where next_purchased_at > churned_at
),

final as (
    select
        events.customer_id,
        events.stage,
        stages.stage_order,
        stages.stage_group,
        events.entered_at,
        events.moved_by_touchpoint_id
    from (
        select * from progress_events
        union all
        select * from dissolution_events
    ) as events
    inner join stages on events.stage = stages.stage
)

select * from final
