# Keras experiment grids as Snakemake jobs: the MNIST / Fashion-MNIST sweep,
# the pixel-permutation experiment and the analog-clock models, from config
# to ranked tables, plots and an HTML report (snakemake --report).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/sweep.smk"
include: "rules/report.smk"
include: "rules/permutation.smk"
include: "rules/clocks.smk"


localrules:
    all,
    grid_table,


rule all:
    input:
        "results/grid.tsv",
        bundle_manifests(),
    default_target: True
