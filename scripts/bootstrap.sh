#!/usr/bin/env bash
# Prepares this checkout on a fresh machine: a virtual environment with the fleet CLI and its dev
# tools, and, for the test suite, the system packages it needs (PostgreSQL server, Java, Maven).
# Safe to run again: each step is skipped when already done.
#   scripts/bootstrap.sh run    what `make up` needs
#   scripts/bootstrap.sh test   what `make test` needs
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
python=${PYTHON:-python3}
venv=.venv

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || die "Python 3.11 or newer is needed as '$python' (set PYTHON=/path/to/python3.11)"

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null || die "missing $*, and this machine has no apt-get to install it"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $sudo apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# `fleet up` runs Apache Kafka (Java, its jars fetched with Maven) and builds the local page (npm).
command -v java >/dev/null || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null || apt_install maven
command -v npm >/dev/null || apt_install nodejs npm

if [ "$mode" = test ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  # proto-registry tests generate and compile the TypeScript (npm, tsc) and Go (go build) stubs.
  command -v go >/dev/null || apt_install golang-go
  # The `fleet up` tests drive the local page in headless Chromium (playwright-core from npm).
  command -v chromium >/dev/null || apt_install chromium
fi

# One bootstrap at a time per checkout: parallel runs would install into the same environment.
mkdir -p .fleet
exec 9>.fleet/bootstrap.lock
flock 9

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv"
  "$python" -m venv "$venv"
fi

# Reinstall only when a dependency declaration changed.
wanted=$(cat pyproject.toml | sha256sum | cut -c1-16)
have=$(cat "$venv/.fleet-installed" 2>/dev/null || true)
if [ "$wanted" != "$have" ]; then
  say "installing the fleet CLI and its dev tools into $venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e '.[dev]'
  echo "$wanted" > "$venv/.fleet-installed"
fi

# The platform's contracts: when the proto sources, VERSION, topic catalogue or release machinery
# changed, publish knowledge-protos into the local package index (.fleet/index, see
# proto-registry/README.md) and install knowledge-protos==1.* from there.
protos_wanted=$(
  find proto-registry/proto proto-registry/VERSION proto-registry/topics.yaml scripts/fleet/protos \
    pyproject.toml -type f \( -name '*.proto' -o -name '*.py' -o -name '*.yaml' -o -name VERSION \
    -o -name pyproject.toml \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
)
protos_have=$(cat "$venv/.protos-installed" 2>/dev/null || true)
if [ "$protos_wanted" != "$protos_have" ]; then
  say "publishing knowledge-protos to the local package index"
  # A version already published with other contents is refused; keep what is installed then.
  protos_published=1
  "$venv/bin/fleet" protos publish || protos_published=""
  "$venv/bin/python" -m pip install -q --no-deps --force-reinstall \
    --index-url "file://$PWD/.fleet/index/simple" 'knowledge-protos==1.*'
  # knowledge-protos itself is satisfied now; this installs its protobuf and grpcio.
  "$venv/bin/python" -m pip install -q 'knowledge-protos==1.*'
  [ -z "$protos_published" ] || echo "$protos_wanted" > "$venv/.protos-installed"
fi

# knowledge-kit, the shared service runtime, editable (after knowledge-protos, which it needs).
kit_wanted=$(sha256sum kit/pyproject.toml | cut -c1-16)
kit_have=$(cat "$venv/.kit-installed" 2>/dev/null || true)
if [ "$kit_wanted" != "$kit_have" ]; then
  say "installing knowledge-kit (kit/) into $venv"
  "$venv/bin/python" -m pip install -q -e 'kit[testing]'
  echo "$kit_wanted" > "$venv/.kit-installed"
fi

# knowledge-kit into the local package index too, where stamped service repositories' tox finds it
# (template/README.md). A changed kit under an already published version is refused; keep going.
kit_index_wanted=$(
  find kit/pyproject.toml kit/src scripts/fleet/template_ops/kit_publishing.py -type f \
    \( -name '*.py' -o -name pyproject.toml -o -name py.typed \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
)
kit_index_have=$(cat "$venv/.kit-published" 2>/dev/null || true)
if [ "$kit_index_wanted" != "$kit_index_have" ]; then
  say "publishing knowledge-kit to the local package index"
  if "$venv/bin/fleet" kit publish; then echo "$kit_index_wanted" > "$venv/.kit-published"; fi
fi

# Every created service (stamped from the template), editable, after knowledge-kit: the root's
# tests import them and `fleet up` runs them. Reinstalled only when a service's pyproject changed;
# for the tests, with what each service's tests need (its `test` extra).
if [ "$mode" = test ]; then
  "$venv/bin/fleet" install --with-tests
else
  "$venv/bin/fleet" install
fi
