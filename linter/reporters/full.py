"""The full text report (``--format full``, ``-v``): see :mod:`computefit.reporters.text`."""

from .text import render_full as render  # noqa: F401
