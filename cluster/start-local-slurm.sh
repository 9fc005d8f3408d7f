#!/usr/bin/env bash
# Install, configure and start a one-node SLURM cluster on this machine.
#
# For trying profiles/slurm on a workstation and for the SLURM tests in CI.
# Needs root on Debian or Ubuntu (Debian's slurm-wlm, 22.05 on bookworm).
# Starts the daemons by hand, without systemd: munged as the munge user, then
# slurmctld and slurmd, and waits until the node is idle. Safe to run again:
# what already runs with the current configuration is left alone.
#
# What it owns (cluster/stop-local-slurm.sh stops exactly what it started):
#   /etc/slurm/slurm.conf, /etc/slurm/gres.conf  rendered from cluster/*.in
#   /var/lib/dlgrid-slurm/   controller and node state, the fake GPU devices
#   /run/dlgrid-slurm/       pid files of the daemons this script started
#   /var/log/dlgrid-slurm/   daemon logs
#
# Settings (environment variables):
#   DLGRID_LOCAL_PARTITION  partition name (default: local)
#   DLGRID_LOCAL_GPUS       number of fake GPUs (default: 2)
#   DLGRID_LOCAL_MIN_JOB_AGE  seconds squeue keeps finished jobs (default: 300)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cluster/local-slurm-common.sh
source "$here/local-slurm-common.sh"

partition=${DLGRID_LOCAL_PARTITION:-local}
gpu_count=${DLGRID_LOCAL_GPUS:-2}
gpu_type=fake
min_job_age=${DLGRID_LOCAL_MIN_JOB_AGE:-300}
def_mem_per_cpu=1024

log() { echo "start-local-slurm: $*"; }
die() { echo "start-local-slurm: error: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (it installs packages and starts daemons)"

install_packages() {
    local missing=()
    for command in munged slurmctld slurmd sinfo; do
        command -v "$command" >/dev/null || missing+=("$command")
    done
    [[ ${#missing[@]} == 0 ]] && return
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get"

    log "installing slurmctld slurmd slurm-client munge"
    # Keep the packages' own service scripts from starting daemons: this
    # script starts (and stop-local-slurm.sh stops) them itself.
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        made_policy=yes
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        slurmctld slurmd slurm-client munge >/dev/null
    [[ -n $made_policy ]] && rm -f "$policy"
    return 0
}

running_from_pidfile() {
    live_pid "$1" "$2" >/dev/null
}

render() {
    local template=$1
    local last_gpu=$((gpu_count - 1))
    sed -e "s|@MARKER@|$OWNER_MARKER|" \
        -e "s|@HOST@|$host|g" \
        -e "s|@STATE_DIR@|$STATE_DIR|g" \
        -e "s|@RUN_DIR@|$RUN_DIR|g" \
        -e "s|@LOG_DIR@|$LOG_DIR|g" \
        -e "s|@CPUS@|$cpus|g" \
        -e "s|@MEMORY_MB@|$memory_mb|g" \
        -e "s|@DEF_MEM_PER_CPU@|$def_mem_per_cpu|g" \
        -e "s|@MIN_JOB_AGE@|$min_job_age|g" \
        -e "s|@PARTITION@|$partition|g" \
        -e "s|@GPU_TYPE@|$gpu_type|g" \
        -e "s|@GPU_COUNT@|$gpu_count|g" \
        -e "s|@LAST_GPU@|$last_gpu|g" \
        "$template"
}

# Writes $2 from template $1; refuses to replace a file this script did not
# write. Returns 0 when the file changed.
write_config() {
    local template=$1 target=$2 rendered
    rendered=$(render "$template")
    if [[ -e $target ]]; then
        grep -qF "$OWNER_MARKER" "$target" ||
            die "$target exists and was not written by this script; move it away" \
                "(or stop using this machine's own SLURM set-up) and rerun"
        [[ $(<"$target") == "$rendered" ]] && return 1
    fi
    mkdir -p "$(dirname "$target")"
    printf '%s\n' "$rendered" >"$target"
    return 0
}

start_munged() {
    if running_from_pidfile "$RUN_DIR/munged.pid" munged; then
        log "munged already running (pid $(<"$RUN_DIR/munged.pid"))"
        return
    fi
    if timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; then
        log "a munged not started by this script answers; using it"
        return
    fi
    [[ -s /etc/munge/munge.key ]] ||
        runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
    install -d -o munge -g munge -m 0755 /run/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid \
        </dev/null >/dev/null 2>&1 || die "munged did not start; see /var/log/munge/"
    for _ in $(seq 50); do
        running_from_pidfile /run/munge/munged.pid munged && break
        sleep 0.1
    done
    running_from_pidfile /run/munge/munged.pid munged ||
        die "munged exited; see /var/log/munge/munged.log"
    cp /run/munge/munged.pid "$RUN_DIR/munged.pid"
    log "started munged (pid $(<"$RUN_DIR/munged.pid"))"
}

# Starts daemon $1 unless this script's pid file shows it running.
start_daemon() {
    local name=$1
    if running_from_pidfile "$RUN_DIR/$name.pid" "$name"; then
        log "$name already running (pid $(<"$RUN_DIR/$name.pid"))"
        return
    fi
    any_live_process "$name" &&
        die "a $name not started by this script is running; stop it first"
    "$name" </dev/null >/dev/null 2>&1 ||
        die "$name did not start; see $LOG_DIR/$name.log"
    for _ in $(seq 50); do
        running_from_pidfile "$RUN_DIR/$name.pid" "$name" && break
        sleep 0.1
    done
    running_from_pidfile "$RUN_DIR/$name.pid" "$name" ||
        die "$name exited; see $LOG_DIR/$name.log"
    log "started $name (pid $(<"$RUN_DIR/$name.pid"))"
}

node_is_usable() {
    [[ $1 == idle* || $1 == mixed* || $1 == allocated* ]]
}

wait_until_idle() {
    local state="" deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        state=$(timeout 5 sinfo --noheader --nodes="$host" --format=%T 2>/dev/null ||
            true)
        node_is_usable "$state" && break
        sleep 0.5
    done
    if ! node_is_usable "$state"; then
        timeout 5 sinfo --list-reasons >&2 || true
        die "node $host is '${state:-not answering}' after 30 s; see $LOG_DIR/"
    fi
    log "node $host is $state; partition '$partition' ($cpus CPUs," \
        "$memory_mb MB, $gpu_count fake GPUs)"
}

install_packages

host=$(hostname -s)
cpus=$(nproc)
# Leave a fifth of the memory (at least 2 GB) to the system and the login node.
total_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
headroom_mb=$((total_mb / 5 > 2048 ? total_mb / 5 : 2048))
memory_mb=$((total_mb - headroom_mb))

changed=""
write_config "$here/slurm.conf.in" "$CONF_DIR/slurm.conf" && changed=yes
write_config "$here/gres.conf.in" "$CONF_DIR/gres.conf" && changed=yes
if [[ -n $changed ]]; then
    log "wrote $CONF_DIR/slurm.conf and gres.conf"
    if running_from_pidfile "$RUN_DIR/slurmctld.pid" slurmctld ||
        running_from_pidfile "$RUN_DIR/slurmd.pid" slurmd; then
        log "configuration changed: restarting the SLURM daemons"
        DLGRID_KEEP_MUNGED=yes "$here/stop-local-slurm.sh"
    fi
fi

mkdir -p "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd" "$STATE_DIR/dev" \
    "$RUN_DIR" "$LOG_DIR"
for ((index = 0; index < gpu_count; index++)); do
    device=$STATE_DIR/dev/fake-gpu$index
    [[ -c $device ]] || { rm -f "$device"; mknod "$device" c 1 3; }
done

start_munged
start_daemon slurmctld
start_daemon slurmd
wait_until_idle
