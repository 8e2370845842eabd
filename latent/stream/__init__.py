"""Streaming analysis of first-price bid logs too large for memory.

Every quantity is a function of per-partition sufficient statistics (counts, the regression's
R factor and scores, histograms of homogenised log bids with Poisson-bootstrap copies) or of a
seeded auction sample: :data:`latent.stream.driver.DECISIONS` says which, per quantity.
:func:`estimate_stream` runs the two or three passes over the partitions on any executor of
:mod:`numerics.engine`.
"""

from latent.stream.driver import DECISIONS, StreamReport, estimate_stream
from latent.stream.partitions import FramePartition

__all__ = ["DECISIONS", "FramePartition", "StreamReport", "estimate_stream"]
