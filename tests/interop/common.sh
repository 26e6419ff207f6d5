# shellcheck shell=bash disable=SC2034
# Sourced by every stack's run script: the shared environment and helpers.
# Inputs (from tests/interop/run, or set by hand to run one stack alone):
#   IPS_BASE_URL     http://127.0.0.1:PORT (the emulator, or the relay in front of it)
#   IPS_API_VERSION  2008-01-15 (default), 2014-04-03 or pre-4.0: the WSDL the
#                    client is generated from
#   IPS_WSDL_URL     $IPS_BASE_URL/scene7/webservice/IpsApi-<version>.wsdl
#   IPS_SERVICE_URL  $IPS_BASE_URL/scene7/services/IpsApiService
#   IPS_WORK_DIR     where generated code and builds go (default: a temp dir)
#   IPS_WSDL_MODE    "emulator" (default) or "adobe": generate from Adobe's WSDL
#   IPS_ADOBE_WSDL   path of Adobe's IpsApi-2013-02-15.wsdl (adobe mode)
set -euo pipefail
: "${IPS_BASE_URL:?set IPS_BASE_URL, e.g. http://127.0.0.1:8080}"
IPS_API_VERSION="${IPS_API_VERSION:-2008-01-15}"
case "$IPS_API_VERSION" in
    pre-4.0) wsdl_file=IpsApi.wsdl IPS_TYPES_NS=http://www.scene7.com/IpsApi/xsd ;;
    *) wsdl_file="IpsApi-$IPS_API_VERSION.wsdl" IPS_TYPES_NS="http://www.scene7.com/IpsApi/xsd/$IPS_API_VERSION" ;;
esac
IPS_WSDL_URL="${IPS_WSDL_URL:-$IPS_BASE_URL/scene7/webservice/$wsdl_file}"
# The namespace of the authHeader the WSDL binds: the unversioned one, but
# for 2014-04-03, which binds its own.
if [ "$IPS_API_VERSION" = 2014-04-03 ]; then
    IPS_HEADER_NS="$IPS_TYPES_NS"
else
    IPS_HEADER_NS=http://www.scene7.com/IpsApi/xsd
fi
export IPS_API_VERSION IPS_TYPES_NS IPS_HEADER_NS
IPS_SERVICE_URL="${IPS_SERVICE_URL:-$IPS_BASE_URL/scene7/services/IpsApiService}"
IPS_WSDL_MODE="${IPS_WSDL_MODE:-emulator}"
export IPS_BASE_URL IPS_WSDL_URL IPS_SERVICE_URL IPS_WSDL_MODE
INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STACK_DIR="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${IPS_WORK_DIR:-}" ]; then
    IPS_WORK_DIR="$(mktemp -d)"
    trap 'rm -rf "$IPS_WORK_DIR"' EXIT
fi
mkdir -p "$IPS_WORK_DIR"
export IPS_WORK_DIR

# fetch_wsdl FILE: the service description the emulator serves, as a client
# would download it (code generators that want a file get this one).
fetch_wsdl() {
    curl -sSf -o "$1" "$IPS_WSDL_URL"
}

# quiet CMD...: runs a generator or compiler, printing its output only on failure.
quiet() {
    local log
    log="$(mktemp)"
    if ! "$@" >"$log" 2>&1; then
        echo "check build: FAIL $(basename "$1") exited non-zero:"
        sed 's/^/    /' "$log" | tail -40
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}
