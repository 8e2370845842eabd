"""Appendix sections, in order. Each is ``(Context) -> Section``."""

from latent.appendix.sections.mechanisms import mechanisms_section
from latent.appendix.sections.realdata import realdata_section
from latent.appendix.sections.seed004 import seed004_section
from latent.appendix.sections.spectra import spectra_section
from latent.appendix.sections.theorems import theorems_section
from latent.appendix.sections.truncation import truncation_section

SECTIONS = (theorems_section, spectra_section, truncation_section, mechanisms_section,
            seed004_section, realdata_section)
