# shellcheck shell=bash
# Shared by start-local-slurm.sh and stop-local-slurm.sh (sourced).
# shellcheck disable=SC2034
CONF_DIR=/etc/slurm
STATE_DIR=/var/lib/dlgrid-slurm
RUN_DIR=/run/dlgrid-slurm
LOG_DIR=/var/log/dlgrid-slurm
OWNER_MARKER="Written by dlgrid cluster/start-local-slurm.sh"

# Prints the pid in pid file $1 when it names a live (not zombie) process
# called $2; fails otherwise.
live_pid() {
    local pidfile=$1 name=$2 pid state
    [[ -s $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$name" ]] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]] || return 1
    echo "$pid"
}

# True when a live (not zombie) process called $1 runs, whoever started it.
any_live_process() {
    local pid state
    for pid in $(pgrep -x "$1"); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
        [[ -n $state && $state != Z ]] && return 0
    done
    return 1
}
