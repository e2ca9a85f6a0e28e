-- The CLV distribution for the Customer value page: customers per value band, per
-- RFM segment and measure (historical / predicted 365 days). Only counts leave the
-- report file: no customer-level row is published. Bands are 20 equal widths up to
-- the 99th percentile of each measure (rounded to a whole 10 EUR); the last band also
-- holds everything above it.
with customers as (
    select rfm_segment, 'historical' as clv_measure, historical_clv_eur as clv_eur
    from customer_value
    union all
    select rfm_segment, 'predicted 365 days' as clv_measure, predicted_clv_365d_eur as clv_eur
    from customer_value
),
widths as (
    select
        clv_measure,
        greatest(ceil(quantile_cont(clv_eur, 0.99) / 20 / 10) * 10, 10) as band_width_eur
    from customers
    group by clv_measure
),
banded as (
    select
        customers.rfm_segment,
        customers.clv_measure,
        widths.band_width_eur,
        least(floor(greatest(customers.clv_eur, 0) / widths.band_width_eur), 19) as band
    from customers
    inner join widths on customers.clv_measure = widths.clv_measure
    where customers.clv_eur is not null
)
select
    rfm_segment,
    clv_measure,
    cast(band * band_width_eur as double) as band_from_eur,
    cast((band + 1) * band_width_eur as double) as band_to_eur,
    count(*) as customers
from banded
group by all
order by clv_measure, rfm_segment, band_from_eur
