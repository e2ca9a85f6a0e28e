select * from channel_touchpoints_daily
