select * from lead_grades_daily
