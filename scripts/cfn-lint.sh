#!/usr/bin/env bash
# Runs cfn-lint on build/templates (see .cfnlintrc.yaml), installing it
# first where it is missing: into a virtual environment from the Python
# package index, else from the system's package manager. Arguments are
# passed to cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${XDG_CACHE_HOME:-$HOME/.cache}/ecr-pull-reconciler"
venv="$cache/cfn-lint"

find_cfn_lint() {
  if command -v cfn-lint > /dev/null 2>&1; then
    command -v cfn-lint
  elif [ -x "$venv/bin/cfn-lint" ]; then
    echo "$venv/bin/cfn-lint"
  else
    return 1
  fi
}

install_cfn_lint() {
  echo "cfn-lint not found; installing it into $venv" >&2
  # A virtual environment, because Debian's Python refuses `pip install`
  # outside one (PEP 668).
  if python3 -m venv "$venv" > /dev/null 2>&1 &&
    "$venv/bin/pip" install --quiet --retries 1 --timeout 15 cfn-lint < /dev/null; then
    return 0
  fi
  rm -rf "$venv"
  if command -v apt-get > /dev/null 2>&1 &&
    apt-cache show cfn-lint > /dev/null 2>&1; then
    echo "The Python package index is unreachable; trying apt-get" >&2
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y -qq cfn-lint < /dev/null && return 0
    else
      sudo -n apt-get install -y -qq cfn-lint < /dev/null && return 0
    fi
  fi
  cat >&2 << 'MESSAGE'
cfn-lint is needed to check the templates and could not be installed:
neither the Python package index (pip install cfn-lint) nor the system's
package manager (apt-get install cfn-lint, where packaged) was
reachable. Install cfn-lint 1.x by hand and put it on the PATH.
MESSAGE
  return 1
}

cfn_lint="$(find_cfn_lint)" || {
  install_cfn_lint
  cfn_lint="$(find_cfn_lint)"
}
if ! ls build/templates/*.json > /dev/null 2>&1; then
  echo "No templates in build/templates: run npm run synth first" >&2
  exit 1
fi
exec "$cfn_lint" "$@"
