select * from kpi_acquisition_daily
