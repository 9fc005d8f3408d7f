#!/usr/bin/env bash
# Stop the one-node SLURM cluster that cluster/start-local-slurm.sh started.
#
# Stops only the daemons named in that script's pid files (/run/dlgrid-slurm),
# after cancelling the jobs still on this cluster, so no training goes on in
# the background. A munged or SLURM daemon that the script found already
# running is left alone. Configuration, state and logs stay for the next
# start. Safe to run when nothing runs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cluster/local-slurm-common.sh
source "$here/local-slurm-common.sh"

log() { echo "stop-local-slurm: $*"; }

stop_daemon() {
    local name=$1 pidfile=$RUN_DIR/$1.pid pid
    if ! pid=$(live_pid "$pidfile" "$name"); then
        rm -f "$pidfile"
        return
    fi
    kill -TERM "$pid"
    for _ in $(seq 100); do
        live_pid "$pidfile" "$name" >/dev/null || break
        sleep 0.1
    done
    if live_pid "$pidfile" "$name" >/dev/null; then
        log "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
        kill -KILL "$pid"
    fi
    rm -f "$pidfile"
    log "stopped $name (pid $pid)"
}

cancel_jobs() {
    live_pid "$RUN_DIR/slurmctld.pid" slurmctld >/dev/null || return 0
    local jobs
    jobs=$(timeout 10 squeue --noheader --states=PENDING,RUNNING,SUSPENDED \
        --format=%A 2>/dev/null | tr '\n' ' ' || true)
    [[ -z ${jobs// /} ]] && return
    log "cancelling jobs $jobs"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs || true
    for _ in $(seq 30); do
        [[ -z $(timeout 5 squeue --noheader --states=RUNNING,COMPLETING \
            --format=%A 2>/dev/null) ]] && break
        sleep 0.5
    done
}

cancel_jobs
stop_daemon slurmd
stop_daemon slurmctld
[[ ${DLGRID_KEEP_MUNGED:-} == yes ]] || stop_daemon munged
