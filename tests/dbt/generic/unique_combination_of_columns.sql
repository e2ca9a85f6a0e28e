{#-
    Fails for every combination of `combination_of_columns` that occurs on
    more than one row. Nulls count as a value (two rows with the same key and
    a null in the same key column are duplicates), as a composite key with a
    nullable part needs.

        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [post_id, metric_date]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (
    select
        {% for column in combination_of_columns -%}
        {{ column }},
        {% endfor -%}
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
),

duplicated as (
    select * from grouped
    where n_rows > 1
)

select * from duplicated

{% endtest %}
