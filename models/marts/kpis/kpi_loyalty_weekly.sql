{#- kpi_loyalty_daily per week: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_loyalty_daily', 'week') }}
