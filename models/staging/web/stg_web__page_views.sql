{{ config(unique_key='event_id') }}

with

source as (
    select * from {{ staging_source_rows(source('web', 'web_events'), ['event_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['event_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        event_id,
        event_at,
        cookie_id,
        user_id,
        {{ normalize_email('email') }} as email,
        url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        'web_events' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
