#!/usr/bin/env bash
# A single-node SLURM cluster on localhost, for testing profiles/slurm (Debian, run as root).
#
#   scripts/slurm_local.sh check            exit 0 if `up` can work on this machine (a controller is up,
#                                           or root with slurm-wlm + munge installed or apt-get to
#                                           install them); else print why on stdout and exit 3
#   scripts/slurm_local.sh up STATE_FILE    install slurm-wlm + munge if missing, start whatever is not
#                                           running, and append to STATE_FILE one line
#                                           "<daemon> <pid>" per daemon this call started
#   scripts/slurm_local.sh down STATE_FILE  stop exactly the daemons listed in STATE_FILE, by PID, and
#                                           remove the slurm.conf if `up` wrote it (without a config
#                                           file the SLURM client tools fail at once; with one and no
#                                           controller each call waits ~9 s, and the Snakemake SLURM
#                                           plugin calls scontrol whenever Snakemake starts)
#
# A cluster that is already up is used as it is: nothing is reconfigured and nothing is recorded,
# so `down` never stops daemons this script did not start. There is no accounting (no slurmdbd):
# the profile polls job states with squeue, which MinJobAge=300 keeps reliable.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARKER="# written by gainflow scripts/slurm_local.sh"
MUNGE_PIDFILE=/run/munge/munged.pid
SLURMCTLD_PIDFILE=/run/slurmctld.pid
SLURMD_PIDFILE=/run/slurmd.pid

log() { echo "slurm_local: $*" >&2; }
die() { log "error: $*"; exit 1; }

pid_alive() {  # pid_alive PIDFILE -> true if the PID in PIDFILE runs
    [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_until() {  # wait_until SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

CANNOT_HOST=3

controller_up() {
    command -v scontrol >/dev/null && scontrol ping 2>/dev/null | grep -q 'is UP'
}

missing_packages() {  # prints the Debian packages `up` would install, space-separated
    local missing=()
    command -v slurmctld >/dev/null || missing+=(slurm-wlm)
    command -v munged >/dev/null || missing+=(munge)
    echo "${missing[*]}"
}

check() {
    controller_up && return
    local missing
    missing=$(missing_packages)
    if [[ $(id -u) != 0 ]]; then
        echo "no SLURM controller is up, and starting one needs root"
    elif [[ -n $missing ]] && ! command -v apt-get >/dev/null; then
        echo "$missing not installed, and no apt-get to install them"
    else
        return 0
    fi
    exit "$CANNOT_HOST"
}

install_packages() {
    local missing
    read -ra missing <<<"$(missing_packages)"
    ((${#missing[@]} == 0)) && return
    [[ $(id -u) == 0 ]] || die "installing ${missing[*]} needs root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local apt_log
    apt_log=$(mktemp)
    if ! { apt-get update && apt-get install -y "${missing[@]}"; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        die "apt-get install ${missing[*]} failed"
    fi
    rm -f "$apt_log"
}

start_munge() {
    pid_alive "$MUNGE_PIDFILE" && return
    if [[ ! -s /etc/munge/munge.key ]]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    wait_until 10 pid_alive "$MUNGE_PIDFILE" || die "munged did not start"
    echo "munged $(cat "$MUNGE_PIDFILE")" >>"$STATE_FILE"
    munge -n | unmunge | grep -q 'STATUS: *Success' || die "munge credential check failed"
}

write_slurm_conf() {
    if [[ -e $CONF ]] && ! grep -qF "$MARKER" "$CONF"; then
        log "using the existing $CONF (not written by this script)"
        return
    fi
    local host node_line memory
    host=$(hostname -s)
    # slurmd -C describes this machine; keep 1 GiB of its memory spare, or the node is drained.
    node_line=$(slurmd -C | head -n 1)
    memory=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
    node_line=$(sed "s/RealMemory=[0-9]*/RealMemory=$((memory - 1024))/" <<<"$node_line")
    install -d /etc/slurm
    cat >"$CONF.tmp" <<EOF
$MARKER
ClusterName=localci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$SLURMCTLD_PIDFILE
SlurmdPidFile=$SLURMD_PIDFILE
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=300
InactiveLimit=0
KillWait=30
Waittime=0
SlurmctldTimeout=120
SlurmdTimeout=300
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.tmp" "$CONF"
    echo "config $CONF" >>"$STATE_FILE"
}

start_slurm() {
    install -d -o slurm -g slurm /var/lib/slurm/slurmctld /var/log/slurm
    install -d /var/lib/slurm/slurmd
    if ! pid_alive "$SLURMCTLD_PIDFILE"; then
        slurmctld
        wait_until 30 scontrol ping || die "slurmctld did not answer (see /var/log/slurm/slurmctld.log)"
        echo "slurmctld $(cat "$SLURMCTLD_PIDFILE")" >>"$STATE_FILE"
    fi
    if ! pid_alive "$SLURMD_PIDFILE"; then
        slurmd
        wait_until 30 pid_alive "$SLURMD_PIDFILE" || die "slurmd did not start (see /var/log/slurm/slurmd.log)"
        echo "slurmd $(cat "$SLURMD_PIDFILE")" >>"$STATE_FILE"
    fi
}

node_ready() {
    sinfo --noheader --states=idle,mixed,allocated --format=%n | grep -q .
}

wait_for_node() {
    if ! wait_until 20 node_ready; then
        # Right after a controller restart the node can stay down until resumed.
        scontrol update NodeName="$(hostname -s)" State=RESUME >&2 || true
        wait_until 20 node_ready || die "no usable node: $(sinfo --noheader 2>&1)"
    fi
}

up() {
    if controller_up; then
        log "a SLURM controller is already up: using it"
        wait_for_node
        return
    fi
    install_packages
    start_munge
    write_slurm_conf
    start_slurm
    wait_for_node
    log "cluster up: $(sinfo --noheader --format='%P %D %t' | tr '\n' ' ')"
}

down() {
    [[ -e $STATE_FILE ]] || return 0
    local name value pid
    # Reverse start order: slurmd, slurmctld, the config, munged.
    tac "$STATE_FILE" | while read -r name value; do
        if [[ $name == config ]]; then
            grep -qF "$MARKER" "$value" 2>/dev/null && rm -f "$value"
            continue
        fi
        pid=$value
        # Only a PID that still runs the recorded daemon is ours to stop.
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]; then
            log "stopping $name ($pid)"
            kill "$pid"
            wait_until 30 test ! -e "/proc/$pid" || log "$name ($pid) still running"
        fi
    done
    rm -f "$STATE_FILE"
}

usage="usage: $0 check | up STATE_FILE | down STATE_FILE"
case $#:${1:-} in
    1:check) check ;;
    2:up) STATE_FILE=$2; up ;;
    2:down) STATE_FILE=$2; down ;;
    *) die "$usage" ;;
esac
