select * from kpi_loyalty_daily
