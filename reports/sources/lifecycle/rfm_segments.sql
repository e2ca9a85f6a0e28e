select * from rfm_segments
