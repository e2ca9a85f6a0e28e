{#- kpi_acquisition_daily per week: see macros/kpis/kpi_rollup.sql. -#}
{{ kpi_rollup('kpi_acquisition_daily', 'week') }}
