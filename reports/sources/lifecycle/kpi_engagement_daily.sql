select * from kpi_engagement_daily
