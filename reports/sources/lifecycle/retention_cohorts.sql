select * from retention_cohorts
