select * from stage_transitions
