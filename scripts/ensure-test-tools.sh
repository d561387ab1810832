#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, when it is missing:
# - SoftHSM2, the PKCS#11 token the key tests run against (Debian package softhsm2);
# - pdftotext and pdftoppm (poppler-utils) and zbarimg (zbar-tools), with which the certificate
#   tests read the kanji back out of a PDF and scan its printed QR code;
# - nats-server, the JetStream server the linkage relay tests start (Debian puts it in /usr/sbin).
set -euo pipefail
missing=()
command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)
{ command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; } || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
{ command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ]; } || missing+=(nats-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing test tools: ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]}; macOS: brew install softhsm poppler zbar nats-server)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing ${missing[*]} for the tests…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
