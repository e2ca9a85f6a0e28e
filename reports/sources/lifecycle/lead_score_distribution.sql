-- Current lead scores in 10 equal bands between the lowest and highest score, per
-- grade, for the Leads page. Counts only; no customer-level row is published.
with bounds as (
    select min(lead_score) as low, greatest(max(lead_score) - min(lead_score), 1e-9) as span
    from lead_scores
),
banded as (
    select
        lead_scores.lead_grade,
        lead_scores.scored_at,
        bounds.low,
        bounds.span,
        least(floor((lead_scores.lead_score - bounds.low) / bounds.span * 10), 9) as band
    from lead_scores
    cross join bounds
    where lead_scores.lead_score is not null
)
select
    lead_grade,
    cast(band as integer) as score_band,
    round(low + band * span / 10, 2) as score_from,
    round(low + (band + 1) * span / 10, 2) as score_to,
    count(*) as customers,
    max(scored_at) as scored_at
from banded
group by all
order by score_band, lead_grade
