{#-
    Each customer's primary email and phone: the most recently seen, then the
    most often seen, then the smallest value (so the choice is deterministic).
    Personal data: read by pii.customer_contacts (raw) and customers (masked,
    hashed) only.
-#}

with

customer_identifiers as (
    select * from {{ ref('int_customer_identifiers') }}
),

ranked_contacts as (
    select
        customer_id,
        identifier_type,
        identifier_value,
        row_number() over (
            partition by customer_id, identifier_type
            order by last_observed_at desc, n_observations desc, identifier_value
        ) as contact_rank
    from customer_identifiers
    where identifier_type in ('email', 'phone')
),

primary_contacts as (
    select
        customer_id,
        max(case when identifier_type = 'email' then identifier_value end) as primary_email,
        max(case when identifier_type = 'phone' then identifier_value end) as primary_phone
    from ranked_contacts
    where contact_rank = 1
    group by customer_id
)

select * from primary_contacts
