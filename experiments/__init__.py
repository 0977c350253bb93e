"""Experiments on the governance model: sweeps into a results store, paired comparisons,
sensitivity analysis, report figures and a policy report.  Entry points are
``python -m experiments.<sweep|collect|compare|sensitivity|figures|report>``."""
