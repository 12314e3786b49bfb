# deploy/dev-clients.sh — DEVELOPMENT agency clients for a registry run as separate processes
# (sourced by deploy/run-local.sh and tools/stack.sh; the embedded host does the same in C#).
#
#   source deploy/dev-clients.sh
#   dev_clients FILE AUTHORITY client-id:AGENCY:role ...
#
# Gives each client a new random secret (32 bytes, base64url; DEV_KEEP_SECRETS=1 keeps those FILE has), writes FILE (mode 600) in the shape
# tools/Registry.Load --credentials, the tests and the embedded host's dev-clients.json share:
#   {"warning": "DEVELOPMENT ONLY ...", "authority": "...", "clients": [{"clientId", "agency", "roles", "secret", "displayName"}]}
# and sets the array DEV_CLIENT_ENV to the identity service's settings for them
# (Identity__Clients__N__ClientId/__Secret/__Agency/__Roles__0): start it with `env "${DEV_CLIENT_ENV[@]}" ...`.
# Never for production: the secrets are in clear in FILE.

# The demo's agencies (DOMAIN.md "Roles"), as in the embedded mode.
DEV_DEMO_CLIENTS=(
  ua-sso-intake:UA-SSO:intake-officer
  ua-sbu-custodian:UA-SBU:custodian
  ua-sbu-medic:UA-SBU:medic
  ua-pow-hq-coordinator:UA-POW-HQ:coordinator
  icrc-delegate:ICRC:icrc-delegate
  ua-ombudsman-auditor:UA-OMBUDSMAN:auditor
  kr-nis-partner:KR-NIS:partner
)

dev_secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

dev_clients() { # FILE AUTHORITY SPEC...
  local file=$1 authority=$2 spec id agency role secret i=0 entries="" kept=""
  shift 2
  # DEV_KEEP_SECRETS=1: a client already in FILE keeps its secret, for an authorization server restarted on its
  # database (it keeps a stored client's secret: ClientRegistry.EnsureAsync).
  [[ ${DEV_KEEP_SECRETS:-0} == 1 && -f $file ]] && kept=$(<"$file")
  DEV_CLIENT_ENV=()
  for spec in "$@"; do
    IFS=: read -r id agency role <<<"$spec"
    secret=""
    if [[ -n $kept ]]; then
      local line
      while IFS= read -r line; do   # FILE's own shape: one client per line; the id matched literally
        if [[ $line == *"\"clientId\": \"$id\","* && $line == *'"secret": "'* ]]; then
          secret=${line##*\"secret\": \"}
          secret=${secret%%\"*}
          break
        fi
      done <<<"$kept"
    fi
    [[ -n $secret ]] || secret=$(dev_secret)
    DEV_CLIENT_ENV+=("Identity__Clients__${i}__ClientId=$id" "Identity__Clients__${i}__Secret=$secret"
      "Identity__Clients__${i}__Agency=$agency" "Identity__Clients__${i}__Roles__0=$role"
      "Identity__Clients__${i}__DisplayName=$id (development)")
    entries+="${entries:+,}
    {\"clientId\": \"$id\", \"agency\": \"$agency\", \"roles\": [\"$role\"], \"secret\": \"$secret\", \"displayName\": \"$id (development)\"}"
    i=$((i + 1))
  done
  mkdir -p "$(dirname "$file")"
  (
    umask 077
    rm -f "$file"
    cat >"$file" <<JSON
{
  "warning": "DEVELOPMENT ONLY: secrets generated on this machine for local runs. Never use them, or this file, in production.",
  "authority": "$authority",
  "clients": [$entries
  ]
}
JSON
  )
}
