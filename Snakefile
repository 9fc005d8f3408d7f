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


# Light rules run where Snakemake runs (on a cluster: the login node).
localrules:
    all,
    grid_table,
    all_cases_table,
    ranked_table,
    top10_table,
    hyperparameter_effects_plot,
    interaction_plot,
    learning_curves_plot,
    network_comparison_plot,
    training_time_plot,
    sweep,


rule all:
    default_target: True
    input:
        rules.sweep.input,
        permutation_targets(),
        rules.clocks.input,
