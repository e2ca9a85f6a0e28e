{{ config(unique_key='review_id') }}

with

source as (
    select * from {{ staging_source_rows(source('reviews', 'reviews'), ['review_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['review_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        review_id,
        reviewed_at,
        platform,
        rating,
        {{ normalize_email('reviewer_email') }} as email,
        {{ normalize_handle('reviewer_handle') }} as social_handle,
        sku,
        'reviews' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
