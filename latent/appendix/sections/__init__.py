"""Appendix sections, in order. Each is ``(Context) -> Section``."""

from latent.appendix.sections.mechanisms import mechanisms_section
from latent.appendix.sections.seed004 import seed004_section
from latent.appendix.sections.theorems import theorems_section

SECTIONS = (theorems_section, mechanisms_section, seed004_section)
