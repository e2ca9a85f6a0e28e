select * from kpi_advocacy_daily
