"""Customer lifetime value: BG/NBD purchase counts and Gamma-Gamma spend,
fitted by maximum likelihood with scipy (see bgnbd.py, gamma_gamma.py), the
warehouse glue (model.py) and test helpers (summary.py, simulate.py)."""
