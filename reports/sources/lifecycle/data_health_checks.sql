select * from data_health_checks
