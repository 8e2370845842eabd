"""Appendix sections, in order. Each is ``(Context) -> Section``."""

from latent.appendix.sections.theorems import theorems_section

SECTIONS = (theorems_section,)
