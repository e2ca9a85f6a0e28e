select * from kpi_csat_daily
