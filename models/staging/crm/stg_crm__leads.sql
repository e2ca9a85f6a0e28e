{{ config(unique_key='lead_id') }}

with

source as (
    select * from {{ staging_source_rows(source('crm', 'crm_leads'), ['lead_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['lead_id'],
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
        lead_id,
        created_at,
        updated_at,
        {{ normalize_email('email') }} as email,
        {{ normalize_phone('phone') }} as phone,
        first_name,
        last_name,
        source,
        status,
        'crm_leads' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
