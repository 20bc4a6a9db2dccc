"""computefit's checks, one module per check (installed as ``computefit.checks``).

A module here defines one :class:`computefit.check.Check` subclass; the registry finds it by
scanning this package, so adding a check is adding a module.
"""
