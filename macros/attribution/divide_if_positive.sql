{#-
    numerator / denominator as a double when the denominator is positive,
    otherwise null: CAC, ROAS and ROI of a day or campaign without spend (or
    CAC without new customers) are undefined, never an error or infinity.
-#}
{% macro divide_if_positive(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast({{ numerator }} as {{ type_double() }})
                / cast({{ denominator }} as {{ type_double() }})
    end
{%- endmacro %}
