{#-
    The moments customers entered a lifecycle stage, with the touchpoint and
    the rule that moved them: the stage engine (macro lifecycle_stage_events)
    over every customer. The framework, its rules and the movement semantics
    are configuration (seeds lifecycle_stages, lifecycle_stage_rules; vars
    lifecycle_framework, lifecycle_movement, churn_after_days, ...).
    customer_stage_history runs the same engine incrementally.
-#}

{#- The engine reads the signals relation itself, not a CTE over it (see the macro). -#}
{%- set signals = ref('int_lifecycle_signals') %}

with

as_of as (
    {{ lifecycle_as_of(signals) }}
),

stage_events as (
    {{ lifecycle_stage_events(signals, 'as_of') }}
)

select * from stage_events
