#!/usr/bin/env bash
# Install (or upgrade in place) codequery into its own virtual environment and put the
# `codequery` command on PATH.
#
#   ./install.sh          install for use
#   ./install.sh --dev    also install the test tools, with the source editable
#
# Where things go (override with environment variables):
#   CODEQUERY_VENV     the virtual environment  (default ~/.local/share/codequery/venv)
#   CODEQUERY_BIN_DIR  where the command is linked (default ~/.local/bin)
#   PYTHON             the interpreter that creates the environment (default python3)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${CODEQUERY_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/codequery/venv}
bin_dir=${CODEQUERY_BIN_DIR:-$HOME/.local/bin}
python=${PYTHON:-python3}
dev=0

for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done

if ! command -v "$python" >/dev/null 2>&1; then
  echo "install.sh: $python not found; install Python 3.10 or newer, or set PYTHON" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "install.sh: codequery needs Python 3.10 or newer; $python is $("$python" -V 2>&1)" >&2
  exit 1
fi
if ! command -v git >/dev/null 2>&1; then
  echo "install.sh: git not found; codequery works on git repositories, install git first" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "Creating the virtual environment $venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
if [ "$dev" = 1 ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade -e "$here[dev]"
else
  "$venv/bin/python" -m pip install --quiet --upgrade "$here"
fi

mkdir -p "$bin_dir"
ln -sf "$venv/bin/codequery" "$bin_dir/codequery"
echo "Installed $("$venv/bin/codequery" --version) as $bin_dir/codequery"
echo "Its environment: $venv (the tests run with $venv/bin/python -m pytest)"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "Add it to PATH:  export PATH=\"$bin_dir:\$PATH\"  (e.g. in ~/.bashrc or ~/.zshrc)" ;;
esac
