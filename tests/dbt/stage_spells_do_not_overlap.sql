{{ config(meta={"dagster": {"ref": {"name": "customer_stage_history"}}}) }}
-- A customer is in one stage at a time: no two spells of one customer overlap.
with

spells as (
    select * from {{ ref('customer_stage_history') }}
)

select
    earlier.customer_id,
    earlier.stage_spell_id as earlier_spell_id,
    later.stage_spell_id as later_spell_id
from spells as earlier
inner join spells as later
    on earlier.customer_id = later.customer_id
    and earlier.spell_number < later.spell_number
where earlier.valid_to is null
    or earlier.valid_to > later.valid_from
