"""Auction data: reading bid files, selecting auctions of N bidders, empirical marginals.

* :mod:`latent.data.reader` — CSV/DataFrame to auctions (wide or long, filters, what was
  dropped and why);
* :mod:`latent.data.sources` — Parquet files, folders or globs of Parquet/CSV partitions,
  Arrow/Polars/Dask frames as partitions, with projection and filters pushed down;
* :mod:`latent.data.synthetic_log` — hive-partitioned synthetic first-price bid logs of any
  size with a known truth;
* :mod:`latent.data.selection` — auctions with exactly N bidders, random N-subsets of larger
  ones, or the N most frequent identified bidders;
* :mod:`latent.data.empirical` — empirical marginals, quantile grids, GPV pseudo-values;
* :mod:`latent.data.ascending` — ascending (English) auctions: Haile–Tamer bounds on the value
  CDF, the optimal reserve and its revenue gain, a simulator with early dropouts.
* :mod:`latent.data.simulated_entry` — simulated first-price auctions with CRRA bidders,
  selective entry or common values (known truth).
* :mod:`latent.data.reserve` — GPV pseudo-values above a binding reserve price.
"""
