"""Great Expectations suites as code, one module per layer, and the runner that validates them."""
