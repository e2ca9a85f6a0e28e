{{ config(unique_key=['order_id', 'line_number']) }}

with

source as (
    select * from {{ staging_source_rows(source('shop', 'order_lines'), ['order_id', 'line_number']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=[
                'order_id',
                'line_number',
            ]
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
        line_number,
        sku,
        product_name,
        quantity,
        unit_price_amount,
        line_amount,
        'order_lines' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
