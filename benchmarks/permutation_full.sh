#!/usr/bin/env bash
# Run the pixel-permutation experiment on the real data of this machine (see
# benchmarks/permutation_full.yaml) in a copy of the workflow under
# benchmarks/out/permutation-run/, one job at a time, with one TensorFlow
# thread and at low priority: about 20 minutes of one CPU core.
#
#   bash benchmarks/permutation_full.sh
#
# Reads /work/shared/data (this machine's copies of the data); the product
# itself never needs it.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
run="$repo/benchmarks/out/permutation-run"

mkdir -p "$run"
for part in Snakefile rules scripts config report envs data; do
    rm -rf "${run:?}/$part"
    cp -r "$repo/$part" "$run/$part"
done
python "$repo/benchmarks/permutation_mnist_data.py" "$run/mnist-5k-real.npz"

cd "$run"
export TF_NUM_INTEROP_THREADS=1 TF_NUM_INTRAOP_THREADS=1
/usr/bin/time -v nice snakemake permutation --cores 1 \
    --configfile "$repo/benchmarks/permutation_full.yaml"
cat results/permutation/selected.tsv results/permutation/table.md
