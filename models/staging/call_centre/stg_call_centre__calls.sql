{{ config(unique_key='call_id') }}

with

source as (
    select * from {{ staging_source_rows(source('call_centre', 'calls'), ['call_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['call_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        call_id,
        started_at,
        {{ normalize_phone('phone_number') }} as phone,
        direction,
        reason,
        duration_seconds,
        {{ normalize_email('customer_email') }} as email,
        'calls' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
