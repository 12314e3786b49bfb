#!/usr/bin/env bash
# deploy/local-servers.sh — bring up the PostgreSQL and RabbitMQ servers that
# the Registry services and their integration tests need, on this machine.
#
# For Debian 12 / Ubuntu, run as root, non-interactive, safe to run any number
# of times. It works without systemd (it starts the servers itself through
# pg_ctlcluster and the rabbitmq-server init script), so it suits containers,
# sandboxes and CI machines alike:
#   1. installs postgresql, rabbitmq-server and curl with apt-get if missing,
#      and the fonts the medical service renders certificates of treatment with
#      (fonts-dejavu-core, fonts-nanum for Hangul);
#   2. starts the PostgreSQL "main" cluster and the RabbitMQ node if they are
#      not running, and waits until they accept connections;
#   3. enables the RabbitMQ management plugin (HTTP API on port 15672; the
#      tests create a virtual host per run through it);
#   4. creates RabbitMQ user registry/registry (administrator, full rights on
#      vhost "/"), PostgreSQL role registry/registry (LOGIN CREATEDB) and the
#      databases intake, custody, medical and identity (the authorization
#      server's store) owned by it.
#
# Output contract (other scripts depend on it):
#   * every progress or log message goes to STDERR, prefixed "[local-servers]";
#   * STDOUT carries nothing but `export NAME='value'` lines, so a caller can do
#         eval "$(bash deploy/local-servers.sh)"
#     to get REGISTRY_TEST_POSTGRES, REGISTRY_TEST_RABBITMQ,
#     REGISTRY_TEST_RABBITMQ_MANAGEMENT and ConnectionStrings__{Intake,Custody,
#     Medical,Identity,RabbitMq};
#   * exit status 0 only when both servers are up and usable.
#
# Usage:
#   bash deploy/local-servers.sh          install / start / provision, print exports
#   bash deploy/local-servers.sh --stop   stop both servers cleanly (prints nothing on stdout)
#   bash deploy/local-servers.sh --help
#
# Environment (optional):
#   REGISTRY_PG_PORT   port of the PostgreSQL cluster (default 5432); an existing
#                      cluster on another port is reconfigured to it.
# RabbitMQ stays on its default ports (AMQP 5672, management 15672).

set -euo pipefail

# Keep the real stdout on fd 3 for the export lines; everything else that any
# command prints on stdout goes to stderr.
exec 3>&1 1>&2

# rabbitmqctl, service and runuser live in sbin, which a non-login root shell may lack.
export PATH="${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"

readonly TAG='[local-servers]'
readonly PG_PORT="${REGISTRY_PG_PORT:-5432}"
readonly AMQP_PORT=5672
readonly MGMT_PORT=15672
readonly APP_USER=registry
readonly APP_PASSWORD=registry
readonly DATABASES=(intake custody medical identity)
readonly PG_WAIT_SECONDS=60
readonly AMQP_WAIT_SECONDS=90
readonly MGMT_WAIT_SECONDS=90

readonly PG_MAX_CONNECTIONS=300
# Servers started from here must not inherit the lock (fd 8) or the caller's stdout (fd 3): a
# daemon holding either would block the next run's lock, or a caller's $(...), for as long as it runs.
daemon() { "$@" 3>&- 8>&-; }
log() { printf '%s %s\n' "$TAG" "$*" >&2; }
die() { printf '%s ERROR: %s\n' "$TAG" "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
Usage: bash deploy/local-servers.sh [--stop | --help]

Without arguments: install (if needed), start and provision PostgreSQL and
RabbitMQ for Registry, then print `export ...` lines on stdout (logs go to
stderr), for use as:   eval "$(bash deploy/local-servers.sh)"

  --stop   stop the PostgreSQL cluster and the RabbitMQ node
  --help   show this help

Environment: REGISTRY_PG_PORT (default 5432).
Must run as root on Debian/Ubuntu (uses apt-get, pg_ctlcluster, rabbitmqctl).
EOF
}

# ---------------------------------------------------------------- helpers ---

# wait_until SECONDS DESCRIPTION COMMAND...: retry COMMAND once a second.
wait_until() {
    local limit=$1 what=$2 start=$SECONDS
    shift 2
    until "$@" >/dev/null 2>&1; do
        if (( SECONDS - start >= limit )); then
            log "gave up after ${limit}s waiting for ${what}"
            return 1
        fi
        sleep 1
    done
    log "${what}: ok after $((SECONDS - start))s"
}

tcp_open() { # HOST PORT
    # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
    timeout 3 bash -c 'exec 9<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

tcp_closed() { ! tcp_open "$@"; }

# run as the postgres OS user from a directory it may read (avoids
# "could not change directory" warnings from psql).
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

pg_sql() { # SQL -> tuples-only output
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres -tA -c "$1"
}

mgmt_get() { # PATH -> body (fails on HTTP error)
    curl -fsS --max-time 5 -u "$APP_USER:$APP_PASSWORD" "http://127.0.0.1:${MGMT_PORT}$1"
}

# ---------------------------------------------------------------- install ---

install_packages() {
    local missing=() pkg
    local -A probe=(
        [postgresql]=pg_ctlcluster
        [rabbitmq-server]=rabbitmqctl
        [curl]=curl
        [fonts-dejavu-core]=true
        [fonts-nanum]=true
    )
    for pkg in postgresql rabbitmq-server curl fonts-dejavu-core fonts-nanum; do
        if ! command -v "${probe[$pkg]}" >/dev/null 2>&1 \
            || ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    # The server binaries themselves (postgresql-common alone has pg_ctlcluster).
    if [[ ! " ${missing[*]} " == *" postgresql "* ]] && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        missing+=(postgresql)
    fi
    if (( ${#missing[@]} == 0 )); then
        log "packages already installed: postgresql rabbitmq-server curl fonts-dejavu-core fonts-nanum"
        return
    fi
    log "installing: ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    local apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt-get "${apt_opts[@]}" update
    apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
    log "packages installed"
}

# ------------------------------------------------------------- postgresql ---

PG_VERSION=''

# Sets PG_VERSION to the newest version that has a "main" cluster, else the
# newest installed server version. Prints nothing on stdout.
detect_pg_version() {
    local v
    PG_VERSION=$(pg_lsclusters -h 2>/dev/null | awk '$2 == "main" { print $1 }' | sort -V | tail -n1)
    if [[ -z $PG_VERSION ]]; then
        local versions=()
        for v in /usr/lib/postgresql/*/bin/postgres; do
            [[ -x $v ]] || continue
            v=${v#/usr/lib/postgresql/}
            versions+=("${v%%/*}")
        done
        if (( ${#versions[@]} > 0 )); then
            PG_VERSION=$(printf '%s\n' "${versions[@]}" | sort -V | tail -n1)
        fi
    fi
    [[ -n $PG_VERSION ]] || die "no PostgreSQL server version found under /usr/lib/postgresql"
}

pg_cluster_field() { # FIELD_NUMBER of `pg_lsclusters -h` for VERSION main
    pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v f="$1" '$1 == v && $2 == "main" { print $f }'
}

pg_running() { pg_ctlcluster "$PG_VERSION" main status >/dev/null 2>&1; }

ensure_postgres_cluster() {
    detect_pg_version
    if [[ -z $(pg_cluster_field 1) ]]; then
        log "creating PostgreSQL ${PG_VERSION} cluster 'main' on port ${PG_PORT}"
        pg_createcluster -p "$PG_PORT" "$PG_VERSION" main
    fi
    # Every test fixture and service process keeps its own connection pool; Debian's default of
    # 100 connections runs out when the test projects run in parallel.
    local connections
    connections=$(pg_conftool -s "$PG_VERSION" main show max_connections 2>/dev/null || echo 100)
    if (( connections < PG_MAX_CONNECTIONS )); then
        log "raising PostgreSQL max_connections from ${connections} to ${PG_MAX_CONNECTIONS}"
        pg_conftool "$PG_VERSION" main set max_connections "$PG_MAX_CONNECTIONS"
        if pg_running; then
            daemon pg_ctlcluster "$PG_VERSION" main restart
        fi
    fi
    local port
    port=$(pg_cluster_field 3)
    if [[ $port != "$PG_PORT" ]]; then
        log "PostgreSQL ${PG_VERSION}/main is configured for port ${port}; switching it to ${PG_PORT}"
        pg_conftool "$PG_VERSION" main set port "$PG_PORT"
        if pg_running; then
            daemon pg_ctlcluster "$PG_VERSION" main restart
        fi
    fi
}

start_postgres() {
    if pg_running; then
        log "PostgreSQL ${PG_VERSION}/main already running on port ${PG_PORT}"
    else
        log "starting PostgreSQL ${PG_VERSION}/main (pg_ctlcluster)"
        daemon pg_ctlcluster "$PG_VERSION" main start \
            || die "pg_ctlcluster ${PG_VERSION} main start failed; see /var/log/postgresql/postgresql-${PG_VERSION}-main.log"
    fi
    wait_until "$PG_WAIT_SECONDS" "PostgreSQL on 127.0.0.1:${PG_PORT}" \
        pg_isready -q -h 127.0.0.1 -p "$PG_PORT" \
        || die "PostgreSQL did not become ready; see /var/log/postgresql/postgresql-${PG_VERSION}-main.log"
}

app_login_works() {
    PGPASSWORD=$APP_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -w -h 127.0.0.1 -p "$PG_PORT" \
        -U "$APP_USER" -d "${DATABASES[0]}" -tA -c 'select 1' 2>/dev/null | grep -qx 1
}

provision_postgres() {
    # Role: create if missing, then (re)assert attributes and password.
    pg_sql "DO \$\$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_USER}') THEN
                CREATE ROLE ${APP_USER};
              END IF;
            END \$\$;
            ALTER ROLE ${APP_USER} WITH LOGIN CREATEDB PASSWORD '${APP_PASSWORD}';" >/dev/null
    local db
    for db in "${DATABASES[@]}"; do
        if [[ $(pg_sql "SELECT 1 FROM pg_database WHERE datname = '${db}'") == 1 ]]; then
            pg_sql "ALTER DATABASE ${db} OWNER TO ${APP_USER}" >/dev/null
        else
            log "creating database ${db}"
            pg_sql "CREATE DATABASE ${db} OWNER ${APP_USER}" >/dev/null
        fi
    done
    log "PostgreSQL role ${APP_USER} and databases ${DATABASES[*]} are in place"

    if ! app_login_works; then
        # Debian's default pg_hba.conf already has scram-sha-256 for
        # 127.0.0.1/32; if it was changed, put a rule for our role first.
        local hba
        hba=$(pg_sql 'SHOW hba_file')
        log "password login over TCP failed; adding a scram-sha-256 rule to ${hba}"
        sed -i "1i host all ${APP_USER} 127.0.0.1/32 scram-sha-256  # added by deploy/local-servers.sh" "$hba"
        pg_sql 'SELECT pg_reload_conf()' >/dev/null
        sleep 1
        app_login_works || die "cannot log in as ${APP_USER} on 127.0.0.1:${PG_PORT} with a password (check ${hba})"
    fi
    log "password login as ${APP_USER}@127.0.0.1:${PG_PORT}/${DATABASES[0]} works"
}

# --------------------------------------------------------------- rabbitmq ---

rabbit_vm_gone() { ! pgrep -u rabbitmq beam >/dev/null 2>&1; }

rabbit_ping() { timeout 30 rabbitmqctl -q ping >/dev/null 2>&1; }

start_rabbitmq() {
    # The AMQP listener opens late in the boot, so an open port means a node
    # that is up or nearly so; await_startup below settles the rest.
    if tcp_open 127.0.0.1 "$AMQP_PORT"; then
        log "RabbitMQ already running (port ${AMQP_PORT})"
    else
        log "starting RabbitMQ"
        if ! { command -v service >/dev/null 2>&1 && [[ -x /etc/init.d/rabbitmq-server ]] \
                && daemon service rabbitmq-server start; }; then
            log "service rabbitmq-server start failed; falling back to rabbitmq-server -detached"
            daemon rabbitmq-server -detached || die "could not start rabbitmq-server"
        fi
        wait_until "$AMQP_WAIT_SECONDS" "RabbitMQ AMQP port ${AMQP_PORT}" tcp_open 127.0.0.1 "$AMQP_PORT" \
            || die "RabbitMQ did not open port ${AMQP_PORT}; see /var/log/rabbitmq/"
    fi
    # Only now: await_startup fails at once while the node is still registering.
    timeout 120 rabbitmqctl -q await_startup --timeout 90 \
        || die "rabbitmqctl await_startup failed; see /var/log/rabbitmq/"
}

# True when the management API answers for our user as administrator with
# full permissions on "/", i.e. nothing is left to do.
rabbit_provisioned() {
    local whoami perms
    whoami=$(mgmt_get /api/whoami 2>/dev/null) || return 1
    [[ $whoami == *administrator* ]] || return 1
    perms=$(mgmt_get /api/permissions/%2F/"$APP_USER" 2>/dev/null) || return 1
    [[ $perms == *'"configure":".*"'* && $perms == *'"write":".*"'* && $perms == *'"read":".*"'* ]]
}

provision_rabbitmq() {
    if rabbit_provisioned; then
        log "RabbitMQ user ${APP_USER} and management API already in place"
        return
    fi
    if rabbitmqctl -q list_users 2>/dev/null | awk '{ print $1 }' | grep -qx "$APP_USER"; then
        rabbitmqctl -q change_password "$APP_USER" "$APP_PASSWORD" >/dev/null
    else
        log "creating RabbitMQ user ${APP_USER}"
        rabbitmqctl -q add_user "$APP_USER" "$APP_PASSWORD" >/dev/null
    fi
    rabbitmqctl -q set_user_tags "$APP_USER" administrator >/dev/null
    rabbitmqctl -q set_permissions -p / "$APP_USER" '.*' '.*' '.*' >/dev/null
    log "RabbitMQ user ${APP_USER} (administrator, full rights on /) is in place"

    if ! mgmt_get /api/overview >/dev/null 2>&1; then
        log "enabling rabbitmq_management plugin"
        rabbitmq-plugins -q enable rabbitmq_management >/dev/null
    fi
    wait_until "$MGMT_WAIT_SECONDS" "RabbitMQ management API on port ${MGMT_PORT}" mgmt_get /api/overview \
        || die "RabbitMQ management API did not answer on http://127.0.0.1:${MGMT_PORT}/"
    rabbit_provisioned || die "RabbitMQ user ${APP_USER} is not administrator with full rights on / after provisioning"
}

# ------------------------------------------------------------------- stop ---

stop_servers() {
    if command -v pg_lsclusters >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        detect_pg_version
        if [[ -n $(pg_cluster_field 1) ]] && pg_running; then
            log "stopping PostgreSQL ${PG_VERSION}/main"
            pg_ctlcluster "$PG_VERSION" main stop
        else
            log "PostgreSQL is not running"
        fi
    fi
    if command -v rabbitmqctl >/dev/null 2>&1; then
        if rabbit_ping; then
            log "stopping RabbitMQ"
            if ! { [[ -x /etc/init.d/rabbitmq-server ]] && service rabbitmq-server stop; }; then
                timeout 120 rabbitmqctl -q stop || die "rabbitmqctl stop failed"
            fi
            if ! wait_until 60 "RabbitMQ port ${AMQP_PORT} closed" tcp_closed 127.0.0.1 "$AMQP_PORT"; then
                die "RabbitMQ still listens on port ${AMQP_PORT}"
            fi
            # `rabbitmqctl stop` returns before the Erlang VM has exited; wait
            # for it so that an immediate restart does not race with it.
            if ! wait_until 60 "RabbitMQ Erlang VM exited" rabbit_vm_gone; then
                die "the RabbitMQ Erlang VM (beam) is still running"
            fi
        else
            log "RabbitMQ is not running"
        fi
    fi
    log "stopped"
}

# ------------------------------------------------------------------- main ---

print_exports() {
    # Loopback only: TLS would add a handshake per physical connection and protect nothing, and on a
    # loaded 2-core machine those handshakes held services back from reporting ready.
    local pg="Host=127.0.0.1;Port=${PG_PORT};SSL Mode=Disable"
    local creds="Username=${APP_USER};Password=${APP_PASSWORD}"
    local amqp="amqp://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${AMQP_PORT}/"
    {
        printf "export REGISTRY_TEST_POSTGRES='%s'\n" "${pg};${creds}"
        printf "export REGISTRY_TEST_RABBITMQ='%s'\n" "$amqp"
        printf "export REGISTRY_TEST_RABBITMQ_MANAGEMENT='%s'\n" "http://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${MGMT_PORT}/"
        printf "export ConnectionStrings__Intake='%s'\n" "${pg};Database=intake;${creds}"
        printf "export ConnectionStrings__Custody='%s'\n" "${pg};Database=custody;${creds}"
        printf "export ConnectionStrings__Medical='%s'\n" "${pg};Database=medical;${creds}"
        printf "export ConnectionStrings__Identity='%s'\n" "${pg};Database=identity;${creds}"
        printf "export ConnectionStrings__RabbitMq='%s'\n" "$amqp"
    } >&3
}

main() {
    local action=up
    case "${1:-}" in
        '') ;;
        --stop) action=stop ;;
        -h | --help) usage; exit 0 ;;
        *) usage; die "unknown argument: $1" ;;
    esac
    (( $# <= 1 )) || { usage; die "too many arguments"; }

    (( EUID == 0 )) || die "must run as root (it installs packages and starts servers); try: sudo bash $0"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian/Ubuntu only"
    [[ $PG_PORT =~ ^[0-9]+$ ]] || die "REGISTRY_PG_PORT must be a number, got '${PG_PORT}'"

    # One run at a time (parallel callers would race on apt and on starts).
    local lock=/run/lock/registry-local-servers.lock
    [[ -d /run/lock ]] || lock=/tmp/registry-local-servers.lock
    exec 8>"$lock"
    if command -v flock >/dev/null 2>&1 && ! flock -n 8; then
        log "another run holds ${lock}; waiting for it (up to 15 min)"
        flock -w 900 8 || die "timed out waiting for ${lock}"
    fi

    if [[ $action == stop ]]; then
        stop_servers
        return
    fi

    local started=$SECONDS
    install_packages
    ensure_postgres_cluster
    start_postgres
    provision_postgres
    start_rabbitmq
    provision_rabbitmq
    log "all set in $((SECONDS - started))s: PostgreSQL ${PG_VERSION} on 127.0.0.1:${PG_PORT}, RabbitMQ on 127.0.0.1:${AMQP_PORT} (management ${MGMT_PORT})"
    print_exports
}

main "$@"
