#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (root, Python 3.11):
#   bash bootstrap.sh demo   set up, then run the daily job on a generated sample world (SQLite, local mailbox)
#   bash bootstrap.sh test   set up, then run the whole test suite (SQLite and a real PostgreSQL, Dovecot, Tesseract)
#   bash bootstrap.sh setup  only set up
set -euo pipefail
cd "$(dirname "$0")"
MODE="${1:-demo}"
VENV="${KPTJ_VENV:-.venv}"

# Debian packages the project needs at run time and in tests; installed only when missing.
APT_RUNTIME=(tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk fonts-wqy-microhei fonts-arphic-uming poppler-utils p7zip-full unar)
APT_TEST=(dovecot-imapd dovecot-lmtpd postgresql-15 openssl chromium postfix redis-server)

need_apt() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "== installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "need root to install: ${missing[*]}" >&2; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    # postfix (tests start their own instance): leave the system's mail setup unconfigured and off
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq -o DPkg::Lock::Timeout=300
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

setup() {
  local pkgs=("${APT_RUNTIME[@]}")
  [ "$MODE" = test ] && pkgs+=("${APT_TEST[@]}")
  need_apt "${pkgs[@]}"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$VENV"; }
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
}

setup
export PATH="$PWD/$VENV/bin:$PATH"
case "$MODE" in
  setup) echo "== ready: $VENV/bin/kptj" ;;
  test) exec python -m pytest -q --durations=20 "${@:2}" ;;
  demo) exec kptj demo "${@:2}" ;;
  *) echo "usage: bash bootstrap.sh demo|test|setup" >&2; exit 2 ;;
esac
