-- Customers per recency x frequency score (1-5) and segment, for the RFM heatmap.
-- Counts only; no customer-level row is published.
select
    rfm_segment,
    recency_score,
    frequency_score,
    count(*) as customers,
    count(*) filter (where is_at_risk) as at_risk_customers
from customer_value
group by all
order by rfm_segment, recency_score, frequency_score
