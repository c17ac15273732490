#!/usr/bin/env bash
# Prepare a machine to run or test Breach Desk: Debian packages (Qt runtime libraries, Xvfb,
# the WenQuanYi CJK font, poppler-utils), a virtual environment in .venv and the pinned Python
# packages. Safe to run repeatedly; each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
      xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
      libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
      fonts-wqy-microhei poppler-utils)

missing_debs() {
  local pkg
  for pkg in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_debs() {
  local missing
  missing=$(missing_debs)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Breach Desk needs these Debian packages, which only root can install:" >&2
    echo "  sudo apt-get install -y $(echo $missing)" >&2
    echo "Run that command (or ask your administrator), then run this script again." >&2
    exit 1
  fi
  echo "Installing Debian packages: $(echo $missing)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

install_venv() {
  local python=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $($python --version)"
    "$python" -m venv .venv
  fi
  # Re-install only when the dependency pins changed since the last successful install.
  local stamp=.venv/.breach-desk-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    # sqlcipher3-binary (Linux-only wheels) was replaced by sqlcipher3; both install the module
    # `sqlcipher3`, so removing the old one deletes the new one's files too: remove both, then the
    # install below puts sqlcipher3 back whole.
    if .venv/bin/python -m pip show -q sqlcipher3-binary >/dev/null 2>&1; then
      .venv/bin/python -m pip uninstall -q -y sqlcipher3-binary sqlcipher3 || true
    fi
    .venv/bin/python -m pip install -q -e ".[dev]"
    touch "$stamp"
  fi
}

install_debs
install_venv
