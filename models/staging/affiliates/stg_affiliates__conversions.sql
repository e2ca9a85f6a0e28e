{{ config(unique_key='conversion_id') }}

with

source as (
    select * from {{ staging_source_rows(source('affiliates', 'affiliate_conversions'), ['conversion_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['conversion_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        conversion_id,
        converted_at,
        affiliate_id,
        order_id,
        order_amount,
        commission_amount,
        currency,
        'affiliate_conversions' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
