{#-
    Touchpoints as lifecycle signals: the columns of each touchpoint that the
    stage rules (seed lifecycle_stage_rules) and the lead score weights
    (seed lifecycle_lead_score_weights) read; they match on signal_type.
-#}

{#- A view (the folder's default): signal_type is worked out once, on the
    touchpoint (int_touchpoints_unioned), so this is a projection of the
    touchpoints mart. It was a table joining every touchpoint to its web page
    again (79 s at 1M persons, in every daily run too; README, Performance). -#}

with

touchpoints as (
    select * from {{ ref('touchpoints') }}
),

final as (
    select
        customer_id,
        touchpoint_id,
        channel,
        touchpoint_type,
        signal_type,
        occurred_at,
        score,
        updated_at
    from touchpoints
)

select * from final
