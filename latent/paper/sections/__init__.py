"""Appendix sections, in order. Each is ``(Context) -> Section``."""

from latent.paper.sections.mechanisms import mechanisms_section
from latent.paper.sections.realdata import realdata_section
from latent.paper.sections.seed004 import seed004_section
from latent.paper.sections.spectra import spectra_section
from latent.paper.sections.theorems import theorems_section
from latent.paper.sections.truncation import truncation_section

SECTIONS = (theorems_section, spectra_section, truncation_section, mechanisms_section,
            seed004_section, realdata_section)
