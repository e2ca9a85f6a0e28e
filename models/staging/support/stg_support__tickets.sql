{{ config(unique_key='ticket_id') }}

with

source as (
    select * from {{ staging_source_rows(source('support', 'support_tickets'), ['ticket_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['ticket_id'],
            is_snapshot=true
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        ticket_id,
        opened_at,
        updated_at,
        resolved_at,
        {{ normalize_email('email') }} as email,
        contact_channel,
        {{ normalize_handle('social_handle') }} as social_handle,
        category,
        csat_score,
        'support_tickets' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
