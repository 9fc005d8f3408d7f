# Paths shared by start-local-slurm.sh and stop-local-slurm.sh (sourced).
# shellcheck disable=SC2034
CONF_DIR=/etc/slurm
STATE_DIR=/var/lib/dlgrid-slurm
RUN_DIR=/run/dlgrid-slurm
LOG_DIR=/var/log/dlgrid-slurm
OWNER_MARKER="Written by dlgrid cluster/start-local-slurm.sh"
