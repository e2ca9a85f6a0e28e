select * from channel_performance_monthly
