select * from kpi_conversion_daily
