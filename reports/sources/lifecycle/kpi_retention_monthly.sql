select * from kpi_retention_monthly
