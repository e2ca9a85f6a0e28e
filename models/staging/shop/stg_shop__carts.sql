{{ config(unique_key='cart_id') }}

with

source as (
    select * from {{ staging_source_rows(source('shop', 'carts'), ['cart_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['cart_id'],
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
        cart_id,
        created_at,
        updated_at,
        cookie_id,
        shop_customer_id,
        {{ normalize_email('email') }} as email,
        status,
        cart_amount,
        currency,
        order_id,
        'carts' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
