# Aggregation: the records of every bundle -> results/tables/ and
# results/plots/, all in Snakemake's HTML report (snakemake --report).
# Every rule here takes seconds and no GPU: on SLURM they are localrules.


rule all_cases_table:
    input:
        manifests=bundle_manifests(),
    output:
        table=report(
            "results/tables/all_cases.csv",
            caption="../report/all_cases.rst",
            category="Sweep overview",
            subcategory="tables",
            labels={"result": "all cases (CSV)"},
        ),
    log:
        "logs/report/all_cases_table.log",
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/aggregate_records.py"


rule ranked_table:
    input:
        cases="results/tables/all_cases.csv",
    output:
        table=report(
            "results/tables/{dataset}_{network}_ranked.csv",
            caption="../report/ranked_table.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "ranked cases (CSV)"},
        ),
    log:
        "logs/report/ranked_table/{dataset}_{network}.log",
    wildcard_constraints:
        **PAIR_WILDCARDS,
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/rank_cases.py"


rule top10_table:
    input:
        ranked="results/tables/{dataset}_{network}_ranked.csv",
        published=published_top10,
    output:
        markdown=report(
            "results/tables/{dataset}_{network}_top10.md",
            caption="../report/top10.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "top 10 vs published (Markdown)"},
        ),
        html=report(
            "results/tables/{dataset}_{network}_top10.html",
            caption="../report/top10.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "top 10 vs published"},
        ),
    log:
        "logs/report/top10_table/{dataset}_{network}.log",
    wildcard_constraints:
        **PAIR_WILDCARDS,
    conda:
        "../envs/dlgrid.yaml"
    params:
        network_grid=lambda wildcards: config["networks"][wildcards.network]["grid"],
    script:
        "../scripts/top10_table.py"


rule hyperparameter_effects_plot:
    input:
        cases="results/tables/all_cases.csv",
    output:
        plot=report(
            "results/plots/{dataset}_{network}_effects.png",
            caption="../report/hyperparameter_effects.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "effect of each hyperparameter"},
        ),
    log:
        "logs/report/hyperparameter_effects_plot/{dataset}_{network}.log",
    wildcard_constraints:
        **PAIR_WILDCARDS,
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/plot_hyperparameter_effects.py"


rule interaction_plot:
    input:
        cases="results/tables/all_cases.csv",
    output:
        plot=report(
            "results/plots/{dataset}_{network}_interaction.png",
            caption="../report/interaction.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "strongest two-way interaction"},
        ),
        strengths=report(
            "results/tables/{dataset}_{network}_interactions.csv",
            caption="../report/interaction_strengths.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "interaction of every pair (CSV)"},
        ),
    log:
        "logs/report/interaction_plot/{dataset}_{network}.log",
    wildcard_constraints:
        **PAIR_WILDCARDS,
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/plot_interaction.py"


rule learning_curves_plot:
    input:
        cases="results/tables/all_cases.csv",
    output:
        plot=report(
            "results/plots/{dataset}_{network}_learning_curves.png",
            caption="../report/learning_curves.rst",
            category="Sweep {dataset}",
            subcategory="{network}",
            labels={"result": "learning curves of the top 5"},
        ),
    log:
        "logs/report/learning_curves_plot/{dataset}_{network}.log",
    wildcard_constraints:
        **PAIR_WILDCARDS,
    conda:
        "../envs/dlgrid.yaml"
    params:
        top=5,
    script:
        "../scripts/plot_learning_curves.py"


rule network_comparison_plot:
    input:
        cases="results/tables/all_cases.csv",
    output:
        plot=report(
            "results/plots/mlp_vs_cnn.png",
            caption="../report/mlp_vs_cnn.rst",
            category="Sweep overview",
            subcategory="plots",
            labels={"result": "MLP vs CNN accuracy"},
        ),
    log:
        "logs/report/network_comparison_plot.log",
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/plot_networks.py"


rule training_time_plot:
    input:
        cases="results/tables/all_cases.csv",
    output:
        plot=report(
            "results/plots/training_time.png",
            caption="../report/training_time.rst",
            category="Sweep overview",
            subcategory="plots",
            labels={"result": "training time per case"},
        ),
    log:
        "logs/report/training_time_plot.log",
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/plot_training_time.py"


rule sweep:
    input:
        "results/grid.tsv",
        "results/tables/all_cases.csv",
        for_every_pair("results/tables/{dataset}_{network}_ranked.csv"),
        for_every_pair("results/tables/{dataset}_{network}_top10.md"),
        for_every_pair("results/tables/{dataset}_{network}_top10.html"),
        for_every_pair("results/tables/{dataset}_{network}_interactions.csv"),
        for_every_pair("results/plots/{dataset}_{network}_effects.png"),
        for_every_pair("results/plots/{dataset}_{network}_interaction.png"),
        for_every_pair("results/plots/{dataset}_{network}_learning_curves.png"),
        "results/plots/mlp_vs_cnn.png",
        "results/plots/training_time.png",
