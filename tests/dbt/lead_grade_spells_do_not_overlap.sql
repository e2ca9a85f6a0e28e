{{ config(meta={"dagster": {"ref": {"name": "lead_grade_history"}}}) }}
-- A customer has one lead grade at a time: grade spells do not overlap, and
-- each spell ends where the next begins.
with

spells as (
    select * from {{ ref('lead_grade_history') }}
),

ordered as (
    select
        customer_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by customer_id order by valid_from) as next_valid_from
    from spells
)

select *
from ordered
where (valid_to is null and next_valid_from is not null)
    or (valid_to is not null and (next_valid_from is null or valid_to <> next_valid_from))
    or valid_to < valid_from
