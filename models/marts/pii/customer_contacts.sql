{{ config(schema='pii') }}
{#-
    The restricted schema: customers' raw primary contacts, for the few who may
    see them (a CRM sync, a support tool). Never exported to the reports.
-#}

with

customers as (
    select * from {{ ref('customers') }}
),

primary_contacts as (
    select * from {{ ref('int_customer_primary_contacts') }}
),

final as (
    select
        customers.customer_id,
        primary_contacts.primary_email,
        primary_contacts.primary_phone
    from customers
    inner join primary_contacts
        on customers.customer_id = primary_contacts.customer_id
)

select * from final
