"""Run every benchmark (make bench). Each module prints a table of times and ratios."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import bench_conv  # noqa: E402
import bench_foundation  # noqa: E402
import bench_optimizers  # noqa: E402
import bench_recurrent  # noqa: E402
import bench_saving  # noqa: E402
import bench_training  # noqa: E402

if __name__ == "__main__":
    print("nbkeras benchmarks: ratios are nbkeras time / other time (below 1: nbkeras faster)")
    bench_foundation.main()
    bench_optimizers.main()
    bench_conv.main()
    bench_training.main()
    bench_recurrent.main()
    bench_saving.main()
