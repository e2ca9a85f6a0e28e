select * from data_health_freshness
