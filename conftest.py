"""pytest's collection at the repository root."""

# The python -m shim replaces itself by the function when imported; it has no doctests.
collect_ignore = ["latent/estimate_rho.py", "docs/conf.py", "docs/inventories/make.py"]
collect_ignore_glob = ["docs/_build/*", "docs/api/*"]
