{#- kpi_conversion_daily per week: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_conversion_daily', 'week') }}
