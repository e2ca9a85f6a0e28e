select * from kpi_discovery_daily
