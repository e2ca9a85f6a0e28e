{#-
    The lifecycle stage engine: the moments customers entered a stage.

    signals: a relation, or a parenthesised select, shaped like
    int_lifecycle_signals (customer_id, touchpoint_id, channel, touchpoint_type,
    signal_type, occurred_at, score). Not the name of a CTE: the engine reads it
    several times, and DuckDB materialises a CTE read more than once (at 1M persons
    49M signals, spilled and scanned six times: 167 s against 91 s reading the
    relation, whose scans take only the columns and rows each reader needs);
    as_of: a relation or CTE with one row, as_of_at (see lifecycle_as_of);
    with_next_change: also render next_change_at (see next_changes below).
    Renders a select (with its own CTEs) of customer_id, stage, stage_order,
    stage_group, entered_at, moved_by_touchpoint_id, reason (and
    next_change_at).

    Configuration, not SQL:
    - var('lifecycle_framework') (default 'default', or 'five_stage') picks the
      rows of the seeds lifecycle_stages and lifecycle_stage_rules.
    - Progress stages are entered by the rules of lifecycle_stage_rules:
      `signal` (a touchpoint whose signal_type, touchpoint_type or channel is
      match_value, or any touchpoint for match_column 'any', with score >=
      min_score when set), `later_signal` (the same on a later day than the
      customer's first touchpoint: a return visit, not the first one),
      `nth_purchase` (the nth
      purchase). requires_stage: the signal counts only once the customer
      has entered that stage (a stage whose own rules have no requirement),
      and within within_days of it when set.
    - var('lifecycle_movement'): 'forward_only' (default; a progress stage
      counts only when beyond every progress stage reached before, so the
      customer moves back only into dissolution states) or 'fluid' (every
      qualifying signal moves the customer into its stage, up or down; the
      first stage's rule counts once).
    - Purchases: touchpoints of var('lifecycle_purchase_types') plus one
      renewal every var('subscription_renewal_days') after a paid subscription
      start, until it is cancelled.
    - Dissolution (only the states the framework lists): at_risk when the time
      since the last purchase exceeds var('at_risk_gap_factor') x the
      customer's mean gap between purchases so far
      (var('at_risk_default_gap_days') after a single purchase) and it is not
      churned by then; churned after var('churn_after_days') without a
      purchase, or when a paid subscription is cancelled; reactivated by a
      purchase after churning. A purchase while at risk returns the customer
      to their progress stage (reason 'recovered').
-#}
{% macro lifecycle_stage_events(signals, as_of, with_next_change=false) -%}
{%- set framework = var('lifecycle_framework', 'default') -%}
{%- set movement = var('lifecycle_movement', 'forward_only') -%}
{%- if movement not in ('forward_only', 'fluid') -%}
    {{ exceptions.raise_compiler_error(
        "var lifecycle_movement must be 'forward_only' or 'fluid', not '" ~ movement ~ "'") }}
{%- endif -%}
{%- set purchase_types = var('lifecycle_purchase_types', ['purchase', 'subscription_started']) -%}
{%- set renewal_days = var('subscription_renewal_days', 30) | int -%}
{%- set churn_days = var('churn_after_days', 60) | int -%}
{%- set gap_factor = var('at_risk_gap_factor', 2) | float -%}
{%- set default_gap_days = var('at_risk_default_gap_days', 15) | float -%}
{%- set null_string = "cast(null as " ~ dbt.type_string() ~ ")" -%}
with

stages as (
    select * from {{ ref('lifecycle_stages') }}
    where framework = '{{ framework }}'
),

{#- reason_rank numbers the rules' descriptions in their own order: the engine
    carries it, not the description, through the matched signals (tens of
    millions of rows at 1M persons), and ties broken on it fall as they would
    on the description. -#}
rules as (
    select
        stage_rules.*,
        dense_rank() over (order by stage_rules.description) as reason_rank
    from {{ ref('lifecycle_stage_rules') }} as stage_rules
    where stage_rules.framework = '{{ framework }}'
),

rule_reasons as (
    select distinct reason_rank, description as reason
    from rules
),

first_progress_stage as (
    select min(stage_order) as stage_order from stages where stage_group = 'progress'
),

{#- A later_signal rule counts a signal on a later day than the customer's first
    touchpoint. The first day comes from one aggregate per customer, joined only
    to the signals a later_signal rule matches (a window over every signal with
    all its columns sorted and spilled 49M rows at 1M persons). -#}
customer_first_days as (
    select
        customer_id,
        min(cast(occurred_at as date)) as first_touch_date
    from {{ signals }} as signals
    group by customer_id
),

{#- Each combination of the columns the rules match on, with the rules it meets:
    the signals meet their rules by one equi-join on these columns (a join per
    match column read every signal once per column: at 1M persons eight scans of
    49M signals, spilled, were most of the engine's time). -#}
rule_columns as (
    select distinct signal_type, touchpoint_type, channel
    from {{ signals }} as signals
),

column_rules as (
    select
        rule_columns.signal_type,
        rule_columns.touchpoint_type,
        rule_columns.channel,
        rules.stage,
        rules.rule,
        rules.min_score,
        rules.requires_stage,
        rules.within_days,
        rules.reason_rank
    from rule_columns
    inner join rules
        on (rules.match_column = 'signal_type' and rule_columns.signal_type = rules.match_value)
        or (rules.match_column = 'touchpoint_type'
            and rule_columns.touchpoint_type = rules.match_value)
        or (rules.match_column = 'channel' and rule_columns.channel = rules.match_value)
        or (rules.match_column = 'any' and rules.rule = 'signal')
),

{#- Subscriptions: paid starts, the cancellations that end one, renewals. -#}
paid_cancels as (
    select
        cancels.customer_id,
        cancels.touchpoint_id,
        cancels.occurred_at as cancelled_at
    from {{ signals }} as cancels
    where cancels.signal_type = 'subscription_cancelled'
        and exists (
            select 1
            from {{ signals }} as starts
            where starts.customer_id = cancels.customer_id
                and starts.signal_type = 'subscription_started'
                and starts.occurred_at < cancels.occurred_at
        )
),

renewal_numbers as (
    {%- for digit in range(10) %}
    select {{ digit }} as digit{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

numbers as (
    select 1 + ones.digit + 10 * tens.digit + 100 * hundreds.digit as n
    from renewal_numbers as ones
    cross join renewal_numbers as tens
    cross join renewal_numbers as hundreds
),

renewals as (
    select
        starts.customer_id,
        starts.touchpoint_id,
        {{ dbt.dateadd('day', 'numbers.n * ' ~ renewal_days, 'starts.occurred_at') }} as occurred_at,
        'subscription renewal' as reason
    from {{ signals }} as starts
    cross join {{ as_of }} as as_of
    inner join numbers
        on numbers.n * {{ renewal_days }}
            <= {{ dbt.datediff('starts.occurred_at', 'as_of.as_of_at', 'day') }}
    where starts.signal_type = 'subscription_started'
        and {{ dbt.dateadd('day', 'numbers.n * ' ~ renewal_days, 'starts.occurred_at') }}
            < as_of.as_of_at
        and not exists (
            select 1
            from paid_cancels
            where paid_cancels.customer_id = starts.customer_id
                and paid_cancels.cancelled_at > starts.occurred_at
                and paid_cancels.cancelled_at
                    <= {{ dbt.dateadd('day', 'numbers.n * ' ~ renewal_days, 'starts.occurred_at') }}
        )
),

purchases as (
    select
        customer_id,
        touchpoint_id,
        occurred_at,
        case when signal_type = 'subscription_started' then 'paid subscription start'
            else 'purchase' end as reason
    from {{ signals }} as signals
    where signal_type in (
        {%- for purchase_type in purchase_types %}'{{ purchase_type }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )

    union all

    select customer_id, touchpoint_id, occurred_at, reason
    from renewals
),

purchases_numbered as (
    select
        purchases.*,
        row_number() over (
            partition by customer_id order by occurred_at, touchpoint_id
        ) as purchase_number,
        min(occurred_at) over (partition by customer_id) as first_purchased_at,
        lead(occurred_at) over (
            partition by customer_id order by occurred_at, touchpoint_id
        ) as next_purchased_at,
        lead(touchpoint_id) over (
            partition by customer_id order by occurred_at, touchpoint_id
        ) as next_touchpoint_id
    from purchases
),

{#- Progress stages: every signal that meets a rule of the framework. -#}
{% if movement == 'forward_only' -%}
{#- Forward only, a stage is entered once: of the signals meeting a rule without a
    required stage only the first per customer and stage counts, so they are
    reduced to it at once (at 1M persons "any touchpoint" alone matches 49M
    signals, and all the matches were 98M rows, held and joined). -#}
{#- The first signal of each customer per combination of the columns the rules
    match on (and score): every signal of a combination meets the same rules,
    so for the `signal` rules without a required stage the first of each
    combination is all that can be first per stage (at 1M persons 9.8M
    combinations of 49M signals; the matches were 68M rows, and their
    first-per-stage aggregate spilled 20 GB, now 2.4 GB: customer_stage_history
    95 -> 79 s written to a table). -#}
signal_combinations as (
    select customer_id, signal_type, touchpoint_type, channel, score, occurred_at, touchpoint_id
    from {{ signals }} as signals
),

combination_firsts as (
    {{ first_per_group(
        'signal_combinations',
        ['customer_id', 'signal_type', 'touchpoint_type', 'channel', 'score'],
        ['occurred_at', 'touchpoint_id'],
    ) }}
),

matched_unconditional as (
    {{ _lifecycle_matched_signals(signals, 'unconditional') }}
),

unconditional_firsts as (
    {{ first_per_group(
        'matched_unconditional',
        ['customer_id', 'stage'],
        ['occurred_at', 'touchpoint_id', 'reason_rank'],
    ) }}
),

matched_conditional as (
    {{ _lifecycle_matched_signals(signals, 'conditional') }}
),

qualified as (
    select
        unconditional_firsts.customer_id,
        unconditional_firsts.stage,
        stages.stage_order,
        unconditional_firsts.occurred_at,
        unconditional_firsts.touchpoint_id,
        unconditional_firsts.reason_rank
    from unconditional_firsts
    inner join stages on unconditional_firsts.stage = stages.stage

    union all

    select
        matched_conditional.customer_id,
        matched_conditional.stage,
        stages.stage_order,
        matched_conditional.occurred_at,
        matched_conditional.touchpoint_id,
        matched_conditional.reason_rank
    from matched_conditional
    inner join stages on matched_conditional.stage = stages.stage
    inner join unconditional_firsts as required
        on matched_conditional.customer_id = required.customer_id
        and matched_conditional.requires_stage = required.stage
    where required.occurred_at <= matched_conditional.occurred_at
        and (
            matched_conditional.within_days is null
            or matched_conditional.occurred_at
                <= {{ dbt.dateadd('day', 'matched_conditional.within_days', 'required.occurred_at') }}
        )
),
{%- else %}
matched as (
    {{ _lifecycle_matched_signals(signals) }}
),

unconditional_entries as (
    select customer_id, stage, min(occurred_at) as entered_at
    from matched
    where requires_stage is null
    group by customer_id, stage
),

qualified as (
    select
        matched.customer_id,
        matched.stage,
        stages.stage_order,
        matched.occurred_at,
        matched.touchpoint_id,
        matched.reason_rank
    from matched
    inner join stages on matched.stage = stages.stage
    left join unconditional_entries as required
        on matched.customer_id = required.customer_id
        and matched.requires_stage = required.stage
    where matched.requires_stage is null
        or (
            required.entered_at <= matched.occurred_at
            and (
                matched.within_days is null
                or matched.occurred_at
                    <= {{ dbt.dateadd('day', 'matched.within_days', 'required.entered_at') }}
            )
        )
),
{%- endif %}

{% if movement == 'forward_only' -%}
firsts as (
    {{ first_per_group(
        'qualified',
        ['customer_id', 'stage', 'stage_order'],
        ['occurred_at', 'touchpoint_id', 'reason_rank'],
    ) }}
),

progress_ranked as (
    select
        firsts.*,
        max(stage_order) over (
            partition by customer_id
            order by occurred_at, stage_order
            rows between unbounded preceding and 1 preceding
        ) as highest_stage_before
    from firsts
),

progress_events as (
    select customer_id, stage, occurred_at as entered_at,
        touchpoint_id as moved_by_touchpoint_id, reason_rank
    from progress_ranked
    where highest_stage_before is null or stage_order > highest_stage_before
),
{%- else -%}
occurrences as (
    select
        qualified.*,
        row_number() over (
            partition by customer_id, stage order by occurred_at, touchpoint_id, reason_rank
        ) as occurrence,
        row_number() over (
            partition by customer_id, occurred_at, stage order by touchpoint_id, reason_rank
        ) as same_moment
    from qualified
),

fluid_ranked as (
    select
        occurrences.*,
        lag(occurrences.stage) over (
            partition by occurrences.customer_id
            order by occurrences.occurred_at, occurrences.stage_order
        ) as previous_stage
    from occurrences
    cross join first_progress_stage
    where occurrences.same_moment = 1
        and (occurrences.occurrence = 1 or occurrences.stage_order <> first_progress_stage.stage_order)
),

progress_events as (
    select customer_id, stage, occurred_at as entered_at,
        touchpoint_id as moved_by_touchpoint_id, reason_rank
    from fluid_ranked
    where previous_stage is null or stage <> previous_stage
),
{%- endif %}

{#- Dissolution: one interval per purchase, until the next one (or as of). -#}
intervals as (
    select
        purchases_numbered.customer_id,
        purchases_numbered.occurred_at as purchased_at,
        purchases_numbered.next_purchased_at,
        purchases_numbered.next_touchpoint_id,
        coalesce(purchases_numbered.next_purchased_at, as_of.as_of_at) as horizon_at,
        {{ dbt.dateadd('day', churn_days, 'purchases_numbered.occurred_at') }} as lapsed_at,
        {{ dbt.dateadd('second', "cast(floor(" ~ gap_factor ~ " * case when purchases_numbered.purchase_number = 1 then " ~ (default_gap_days * 86400) ~ " else " ~ dbt.datediff('purchases_numbered.first_purchased_at', 'purchases_numbered.occurred_at', 'second') ~ " / (purchases_numbered.purchase_number - 1) end) as " ~ dbt.type_bigint() ~ ")", 'purchases_numbered.occurred_at') }}
            as overdue_at,
        (
            select min(paid_cancels.cancelled_at)
            from paid_cancels
            where paid_cancels.customer_id = purchases_numbered.customer_id
                and paid_cancels.cancelled_at >= purchases_numbered.occurred_at
                and paid_cancels.cancelled_at < coalesce(purchases_numbered.next_purchased_at, as_of.as_of_at)
        ) as cancelled_at
    from purchases_numbered
    cross join {{ as_of }} as as_of
),

interval_outcomes as (
    select
        intervals.*,
        case
            when intervals.lapsed_at < intervals.horizon_at
                and (intervals.cancelled_at is null or intervals.lapsed_at < intervals.cancelled_at)
                then intervals.lapsed_at
            else intervals.cancelled_at
        end as churned_at
    from intervals
),

interval_states as (
    select
        interval_outcomes.*,
        case
            when interval_outcomes.overdue_at
                < coalesce(interval_outcomes.churned_at, interval_outcomes.horizon_at)
                then interval_outcomes.overdue_at
        end as at_risk_at
    from interval_outcomes
),

dissolution_candidates as (
    select customer_id, 'at_risk' as stage, at_risk_at as entered_at,
        {{ null_string }} as moved_by_touchpoint_id,
        'no purchase for longer than the usual gap' as reason
    from interval_states
    where at_risk_at is not null

    union all

    select customer_id, 'churned', churned_at,
        (select min(paid_cancels.touchpoint_id) from paid_cancels
            where paid_cancels.customer_id = interval_states.customer_id
                and paid_cancels.cancelled_at = interval_states.churned_at),
        case when churned_at = cancelled_at then 'paid subscription cancelled'
            else 'no purchase for {{ churn_days }} days' end
    from interval_states
    where churned_at is not null

    union all

    select customer_id, 'reactivated', next_purchased_at, next_touchpoint_id,
        'purchase after churning'
    from interval_states
    where churned_at is not null and next_purchased_at is not null
),

dissolution_events as (
    select dissolution_candidates.*
    from dissolution_candidates
    inner join stages on dissolution_candidates.stage = stages.stage
),

{#- A purchase while at risk: back to the progress stage reached by then. -#}
recoveries as (
    select customer_id, next_purchased_at as recovered_at, next_touchpoint_id
    from interval_states
    where at_risk_at is not null and churned_at is null and next_purchased_at is not null
        and exists (select 1 from stages where stages.stage = 'at_risk')
),

recovered_stages as (
    select
        recoveries.customer_id,
        progress_events.stage,
        recoveries.recovered_at as entered_at,
        recoveries.next_touchpoint_id as moved_by_touchpoint_id,
        'recovered' as reason,
        progress_events.entered_at as progress_entered_at,
        row_number() over (
            partition by recoveries.customer_id, recoveries.recovered_at
            order by progress_events.entered_at desc, stages.stage_order desc
        ) as recency
    from recoveries
    inner join progress_events
        on recoveries.customer_id = progress_events.customer_id
        and progress_events.entered_at <= recoveries.recovered_at
    inner join stages on progress_events.stage = stages.stage
),

{%- if with_next_change %}

{#- The earliest moment after as_of at which the customer's history changes by
    time alone, with no new signal: the last purchase's interval turning at risk
    or churned once as_of passes it. An incremental run recomputes a customer
    whose next_change_at is before its new as_of. Subscription renewals are not
    in it (the caller recomputes subscribers every run). -#}
next_change_candidates as (
    select customer_id, overdue_at as change_at
    from interval_states
    where next_purchased_at is null and churned_at is null and at_risk_at is null
        and overdue_at >= horizon_at

    union all

    select customer_id, lapsed_at
    from interval_states
    where next_purchased_at is null and churned_at is null
        and lapsed_at >= horizon_at
),

next_changes as (
    select customer_id, min(change_at) as next_change_at
    from next_change_candidates
    group by customer_id
),
{%- endif %}

events as (
    select
        progress_events.customer_id,
        progress_events.stage,
        progress_events.entered_at,
        progress_events.moved_by_touchpoint_id,
        rule_reasons.reason
    from progress_events
    inner join rule_reasons on progress_events.reason_rank = rule_reasons.reason_rank

    union all

    select customer_id, stage, entered_at, moved_by_touchpoint_id, reason
    from dissolution_events

    union all

    select customer_id, stage, entered_at, moved_by_touchpoint_id, reason
    from recovered_stages
    where recency = 1 and progress_entered_at < entered_at
)

select
    events.customer_id,
    events.stage,
    stages.stage_order,
    stages.stage_group,
    events.entered_at,
    events.moved_by_touchpoint_id,
    events.reason
    {%- if with_next_change %},
    next_changes.next_change_at
    {%- endif %}
from events
inner join stages on events.stage = stages.stage
{%- if with_next_change %}
left join next_changes on events.customer_id = next_changes.customer_id
{%- endif %}
{%- endmacro %}


{#- The signals that meet a rule of the framework (the signals joined to
    column_rules, and the purchases to the nth_purchase rules), for the rules
    with a required earlier stage (`requires` 'conditional'), without one
    ('unconditional') or all of them (none). For 'unconditional' (forward
    only: only the first match per customer and stage counts) the `signal`
    rules read each combination's first signal (CTE combination_firsts). -#}
{% macro _lifecycle_matched_signals(signals, requires=none) -%}
    {%- set requires_condition = {
        'conditional': 'is not null', 'unconditional': 'is null'}.get(requires) -%}
    {%- for rule in ['signal', 'later_signal'] %}
    select column_rules.stage, signals.customer_id, signals.occurred_at,
        signals.touchpoint_id, column_rules.requires_stage, column_rules.within_days,
        column_rules.reason_rank
    {%- if rule == 'signal' and requires == 'unconditional' %}
    from combination_firsts as signals
    {%- else %}
    from {{ signals }} as signals
    {%- endif %}
    inner join column_rules
        on signals.signal_type is not distinct from column_rules.signal_type
        and signals.touchpoint_type is not distinct from column_rules.touchpoint_type
        and signals.channel is not distinct from column_rules.channel
    {%- if rule == 'later_signal' %}
    inner join customer_first_days
        on signals.customer_id = customer_first_days.customer_id
    where column_rules.rule = 'later_signal'
        and cast(signals.occurred_at as date) > customer_first_days.first_touch_date
    {%- else %}
    where column_rules.rule = 'signal'
    {%- endif %}
        and (column_rules.min_score is null or signals.score >= column_rules.min_score)
        {% if requires_condition %}and column_rules.requires_stage {{ requires_condition }}{% endif %}

    union all
    {% endfor %}
    select rules.stage, purchases_numbered.customer_id, purchases_numbered.occurred_at,
        purchases_numbered.touchpoint_id, rules.requires_stage, rules.within_days,
        rules.reason_rank
    from purchases_numbered
    inner join rules
        on rules.rule = 'nth_purchase'
        and purchases_numbered.purchase_number = rules.nth
    {%- if requires_condition %}
    where rules.requires_stage {{ requires_condition }}
    {%- endif %}
{%- endmacro %}
