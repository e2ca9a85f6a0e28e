{#- kpi_conversion_daily per month: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_conversion_daily', 'month') }}
