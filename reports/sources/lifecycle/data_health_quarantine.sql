select * from data_health_quarantine
