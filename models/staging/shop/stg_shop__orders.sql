{{ config(unique_key='order_id') }}

with

source as (
    select * from {{ staging_source_rows(source('shop', 'orders'), ['order_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['order_id'],
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
        order_id,
        ordered_at,
        updated_at,
        shop_customer_id,
        {{ normalize_email('customer_email') }} as email,
        {{ normalize_phone('phone') }} as phone,
        currency,
        subtotal_amount,
        tax_amount,
        shipping_amount,
        total_amount,
        coalesce(refunded_amount, 0) as refunded_amount,
        status,
        utm_source,
        'orders' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
