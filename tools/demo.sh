#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds, and runs the demo jobs on 4 MPI
# ranks with the built-in configurations: the heat app (data/heat-demo.toml), the cg solver
# (data/cg-demo.toml), then kmeans (data/kmeans-demo.toml) on a data set of Gaussian blobs that
# tessera-data generates first, then sort and stats on 5 million Zipf keys, then train (an MLP
# on Fashion-MNIST, imported with tools/tessera-import), writing checkpoints, fields (HDF5 +
# XDMF), centres and labels, sorted keys, statistics with a histogram plot, a trained model with
# its training curves, and run records to demo-output/. Extra arguments go to heat.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
"$root/tools/build.sh" >/dev/null
echo "demo: build finished in ${BUILD_DIR:-$root/build}"

ranks=4
cores=$(nproc)
threads=$(( cores / ranks > 0 ? cores / ranks : 1 ))
flags=()
[ "$cores" -ge "$ranks" ] || flags+=(--oversubscribe)  # more ranks than cores on a small machine
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
output=${DEMO_OUTPUT:-$PWD/demo-output}
rm -rf "$output"
echo "demo: mpirun -n $ranks ${flags[*]} heat --config data/heat-demo.toml --output $output ($threads OpenMP thread(s) per rank)"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/heat" \
  --config "$root/data/heat-demo.toml" --output "$output" --record "$output/runs.jsonl" "$@"
echo
echo "demo: mpirun -n $ranks ${flags[*]} cg --config data/cg-demo.toml --output $output/cg"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/cg" \
  --config "$root/data/cg-demo.toml" --output "$output/cg" --record "$output/runs.jsonl"
echo
echo "demo: mpirun -n $ranks ${flags[*]} tessera-data generate blobs -o $output/blobs.h5 --rows 200000 --features 16 --centres 16 --spread 2"
mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/tessera-data" generate blobs -o "$output/blobs.h5" \
  --rows 200000 --features 16 --centres 16 --spread 2
echo "demo: mpirun -n $ranks ${flags[*]} kmeans --config data/kmeans-demo.toml --input $output/blobs.h5:/points --output $output/kmeans"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/kmeans" \
  --config "$root/data/kmeans-demo.toml" --input "$output/blobs.h5:/points" --output "$output/kmeans" \
  --record "$output/runs.jsonl"
echo
echo "demo: mpirun -n $ranks ${flags[*]} tessera-data generate keys -o $output/keys.h5 --rows 5000000 --dist zipf"
mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/tessera-data" generate keys -o "$output/keys.h5" \
  --rows 5000000 --dist zipf
echo "demo: mpirun -n $ranks ${flags[*]} sort --input $output/keys.h5:/keys --values $output/keys.h5:/values --checkpoint-every 1 --output $output/sort"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/sort" \
  --input "$output/keys.h5:/keys" --values "$output/keys.h5:/values" --checkpoint-every 1 --output "$output/sort" \
  --record "$output/runs.jsonl"
echo "demo: mpirun -n $ranks ${flags[*]} stats --input $output/keys.h5:/keys --quantiles 0.5,0.9,0.99,0.999 --range 0:40 --bins 40 --output $output/stats"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/stats" \
  --input "$output/keys.h5:/keys" --quantiles 0.5,0.9,0.99,0.999 --range 0:40 --bins 40 --output "$output/stats" \
  --record "$output/runs.jsonl"
"$root/tools/tessera-plot-hist" "$output/stats/stats.json" --log --png "$output/stats/hist.png"
echo
fashion=/usr/share/datasets/fashion-mnist  # Debian package dataset-fashion-mnist
fm=$output/fashion-mnist.h5
echo "demo: tessera-import Fashion-MNIST ($fashion: 60,000 training and 10,000 test images) into $fm"
"$root/tools/tessera-import" "$fashion/train-images-idx3-ubyte.gz" "$fm:/train/images"
"$root/tools/tessera-import" "$fashion/train-labels-idx1-ubyte.gz" "$fm:/train/labels" --dtype int32
"$root/tools/tessera-import" "$fashion/t10k-images-idx3-ubyte.gz" "$fm:/test/images"
"$root/tools/tessera-import" "$fashion/t10k-labels-idx1-ubyte.gz" "$fm:/test/labels" --dtype int32
echo "demo: mpirun -n $ranks ${flags[*]} train --train $fm:/train/images --train-labels $fm:/train/labels --test $fm:/test/images --test-labels $fm:/test/labels --model mlp --hidden 128 --epochs 3 --target-accuracy 0.84 --checkpoint-every 200 --output $output/train"
OMP_NUM_THREADS=$threads mpirun -n "$ranks" "${flags[@]}" "${BUILD_DIR:-$root/build}/bin/train" \
  --train "$fm:/train/images" --train-labels "$fm:/train/labels" --test "$fm:/test/images" \
  --test-labels "$fm:/test/labels" --model mlp --hidden 128 --epochs 3 --target-accuracy 0.84 \
  --checkpoint-every 200 --output "$output/train" --record "$output/runs.jsonl"
"$root/tools/tessera-plot-training" "$output/train/history.jsonl" --png "$output/train/training.png"
echo
echo "demo: output in $output"
echo "  heat field snapshots:  $output/heat.xdmf (open in ParaView or VisIt)"
echo "  cg solution:           $output/cg/cg_solution.xdmf"
echo "  kmeans data set:       $output/blobs.h5 (/points, true /labels and /centres)"
echo "  kmeans result:         $output/kmeans/kmeans.h5 (/centres, /cluster_sizes, /labels)"
echo "  sorted keys:           $output/sort/sorted.h5 (/keys, /values = each key's input position)"
echo "  statistics:            $output/stats/stats.json, stats.h5 (/histogram, /bin_edges), hist.png"
echo "  Fashion-MNIST:         $output/fashion-mnist.h5 (/train/images, /train/labels, /test/images, /test/labels)"
echo "  trained model:         $output/train/model.h5, history.jsonl (one line per epoch), training.png"
echo "  checkpoints:           $output/checkpoints/, $output/cg/checkpoints/, $output/kmeans/checkpoints/ and $output/train/checkpoints/ (resume with --restart)"
echo "  run records:           $output/runs.jsonl (one line per run)"
