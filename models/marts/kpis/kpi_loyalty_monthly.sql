{#- kpi_loyalty_daily per month: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_loyalty_daily', 'month') }}
