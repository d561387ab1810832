#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, when it is missing:
# SoftHSM2, the PKCS#11 token the key tests run against (Debian package softhsm2).
set -euo pipefail
if command -v softhsm2-util >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "SoftHSM2 is missing: install it (Debian/Ubuntu: apt-get install softhsm2; macOS: brew install softhsm)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing softhsm2 for the key tests…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq softhsm2 >/dev/null
