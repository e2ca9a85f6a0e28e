select * from attribution_by_channel_monthly
