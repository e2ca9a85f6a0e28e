{{ config(unique_key='response_id') }}

with

source as (
    select * from {{ staging_source_rows(source('support', 'surveys'), ['response_id']) }}
),

ranked as (
    select
        *,
        {{ deduplication_row_number(
            key_columns=['response_id']
        ) }} as row_number
    from source
),

deduplicated as (
    select * from ranked
    where row_number = 1
),

renamed as (
    select
        response_id,
        responded_at,
        {{ normalize_email('email') }} as email,
        survey_type,
        score,
        comment,
        'surveys' as channel,
        _source_file as source_file,
        _source_row as source_row,
        _delivery_date as delivered_on,
        _loaded_at as loaded_at
    from deduplicated
)

select * from renamed
