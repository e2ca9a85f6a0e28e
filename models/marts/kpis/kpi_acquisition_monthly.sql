{#- kpi_acquisition_daily per month: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_acquisition_daily', 'month') }}
