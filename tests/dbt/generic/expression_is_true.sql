{#-
    Rows where an expression is false fail the test, as in dbt_utils:
        data_tests:
          - expression_is_true:
              arguments:
                expression: "email_open_rate between 0 and 1"
    Nulls pass (a rate with no denominator is null, not wrong).
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
