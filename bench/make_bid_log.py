"""Write a hive-partitioned synthetic first-price bid log (a thin command line over
:func:`latent.data.synthetic_log.write_bid_log`).

    python bench/make_bid_log.py OUT --bids 1e7 --partitions 64 --seed 0

prints the log's description (truth: value law, covariate coefficients, counts) as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from latent.data.synthetic_log import VALUE_LAWS, write_bid_log


def _count(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of bids, e.g. 1e7") from None
    if not value.is_integer() or value < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of bids ≥ 2")
    return int(value)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="folder to create (new or empty)")
    p.add_argument("--bids", type=_count, default=1_000_000, help="about this many bids")
    p.add_argument("--partitions", type=int, default=8, help="region=K folders (one file each)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-range", type=int, nargs=2, default=(2, 12), metavar=("LO", "HI"))
    p.add_argument("--value-law", choices=VALUE_LAWS, default="lognormal")
    p.add_argument("--no-covariates", action="store_true", help="pure IPV: no x1, x2, regions")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    args = p.parse_args(argv)
    start = time.perf_counter()
    try:
        log = write_bid_log(args.out, n_bids=args.bids, seed=args.seed,
                            partitions=args.partitions, n_range=tuple(args.n_range),
                            value_law=args.value_law, covariates=not args.no_covariates,
                            format=args.format)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    info = log.to_dict()
    info.pop("files")
    info["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
