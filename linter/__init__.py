"""computefit: lint infrastructure-as-code for AWS workloads on the wrong compute model."""

__version__ = "0.1.0"
