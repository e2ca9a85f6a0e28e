select * from customers_per_stage_daily
