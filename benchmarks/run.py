"""Run every benchmark (make bench). Each module prints a table of times and ratios; all of
them go to benchmarks/results/latest.json (``--output`` for another file)."""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import bench_conv  # noqa: E402
import bench_foundation  # noqa: E402
import bench_optimizers  # noqa: E402
import bench_recurrent  # noqa: E402
import bench_saving  # noqa: E402
import bench_training  # noqa: E402
import harness  # noqa: E402

LATEST = pathlib.Path(__file__).parent / "results" / "latest.json"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default=str(LATEST), help="the results file to write")
    output = parser.parse_args().output
    print("nbkeras benchmarks: ratios are nbkeras time / other time (below 1: nbkeras faster)")
    bench_foundation.main()
    bench_optimizers.main()
    bench_conv.main()
    bench_training.main()
    bench_recurrent.main()
    bench_saving.main()
    harness.write_results(output)
    print(f"\nresults written to {output}")
