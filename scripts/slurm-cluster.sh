#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the integration tests (Tests/CLITests/SlurmTests.swift)
# and for trying `betavae sweep --executor slurm` without a real cluster.
#
#   scripts/slurm-cluster.sh start    # installs slurm-wlm and munge when missing, starts munged, slurmctld, slurmd
#   scripts/slurm-cluster.sh status   # prints 'running' (exit 0) or 'stopped' (exit 1)
#   scripts/slurm-cluster.sh stop     # stops the daemons this script started; removes nothing else
#   scripts/slurm-cluster.sh env      # prints the export line the clients need (SLURM_CONF)
#   scripts/slurm-cluster.sh install  # only installs slurm-wlm and munge when missing
#
# No systemd: the daemons run in the background with their configuration, keys, state, spool,
# logs and sockets in one folder ($BETAVAE_SLURM_DIR, default /tmp/betavae-slurm). The node is
# localhost with this machine's cores and memory, partition 'debug', proctrack/linuxproc,
# task/none, no cgroup.conf and no accounting (sacct then has nothing; squeue works).
# 'start' is idempotent: a running cluster is left alone. Needs root (slurmd runs jobs as their user).
set -euo pipefail

DIR=${BETAVAE_SLURM_DIR:-/tmp/betavae-slurm}
CONF=$DIR/slurm.conf
CTLD_PORT=${BETAVAE_SLURM_PORT:-6817}

die() { echo "slurm-cluster: $*" >&2; exit 1; }

install_packages() {
    local missing=()
    for p in slurm-wlm munge; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "slurm-cluster: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
    # Debian's packages start the system daemons where they can; this cluster uses its own.
    pkill_pidfile /run/munge/munged.pid
}

# Kills the process whose pid is in $1 (only that one) and waits for it.
pkill_pidfile() {
    local file=$1 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# Runs a daemon with /dev/null for input, its start messages in $1 and none of this script's other
# open files: a caller's pipes left open in a daemon would keep the caller waiting for their end.
daemon() {
    local log=$1; shift
    (
        for fd in $(ls "/proc/$BASHPID/fd"); do
            [ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-" 2>/dev/null
        done
        exec "$@" </dev/null >"$log" 2>&1
    )
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

running() { alive "$DIR/munged.pid" && alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid"; }

write_config() {
    local cpus mem
    cpus=$(nproc)
    mem=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/munge"
    chmod 700 "$DIR/munge"
    cat > "$CONF" <<EOF
# Written by scripts/slurm-cluster.sh: a single-node cluster on localhost.
ClusterName=betavae
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$((CTLD_PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
KillWait=30
MinJobAge=300
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    if running; then echo "slurm-cluster: already running ($CONF)" >&2; echo "export SLURM_CONF=$CONF"; return 0; fi
    install_packages
    [ "$(id -u)" = 0 ] || die "start needs root (slurmd runs jobs as their owner)"
    stop_daemons
    write_config
    if [ ! -s "$DIR/munge/munge.key" ]; then
        head -c 1024 /dev/urandom > "$DIR/munge/munge.key"
        chmod 400 "$DIR/munge/munge.key"
    fi
    touch "$DIR/munge/munged.seed"; chmod 600 "$DIR/munge/munged.seed"
    # The daemons get no terminal and none of this script's pipes (a caller reading our output to
    # its end would otherwise wait for them); what they say at start goes to log/*.start.
    daemon "$DIR/log/munged.start" munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
        --pid-file="$DIR/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" \
        || die "munged did not start: $(tail -n 1 "$DIR/log/munged.start" 2>/dev/null)"
    export SLURM_CONF=$CONF
    daemon "$DIR/log/slurmctld.start" slurmctld -i -f "$CONF" \
        || die "slurmctld did not start: $(tail -n 1 "$DIR/log/slurmctld.start" "$DIR/log/slurmctld.log" 2>/dev/null)"
    daemon "$DIR/log/slurmd.start" slurmd -f "$CONF" -N localhost \
        || die "slurmd did not start: $(tail -n 1 "$DIR/log/slurmd.start" "$DIR/log/slurmd.log" 2>/dev/null)"
    # Wait until the node takes jobs.
    for _ in $(seq 150); do
        if sinfo -h -o '%T' -n localhost 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
            echo "slurm-cluster: running ($CONF)" >&2
            echo "export SLURM_CONF=$CONF"
            return 0
        fi
        sleep 0.2
    done
    die "the node did not come up: $(sinfo -h -o '%T %E' 2>&1 | head -n 1); see $DIR/log/"
}

# Stops the three daemons at once (each takes a second or two to exit), each by its own pid file.
stop_daemons() {
    pkill_pidfile "$DIR/slurmd.pid" &
    pkill_pidfile "$DIR/slurmctld.pid" &
    pkill_pidfile "$DIR/munged.pid" &
    wait
}

case "${1:-}" in
    start) start ;;
    stop) stop_daemons; echo "slurm-cluster: stopped" >&2 ;;
    status) if running; then echo running; else echo stopped; exit 1; fi ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    install) install_packages ;;
    *) echo "usage: $0 start|stop|status|env|install" >&2; exit 64 ;;
esac
