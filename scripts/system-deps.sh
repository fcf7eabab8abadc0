#!/usr/bin/env bash
# What Fazhi needs from Debian: Chromium for the browser tests, CJK fonts (without them Chinese
# renders as empty boxes in screenshots and PDFs) and Pango for WeasyPrint's PDF exports.
# Installed only when missing.
set -euo pipefail
# `--runtime` (make run): what the server needs, without the browser the tests drive.
missing=()
[ "${1:-}" = "--runtime" ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v fc-list >/dev/null || missing+=(fontconfig)
# Read whole outputs before grepping: `cmd | grep -q` can end in SIGPIPE under pipefail.
fonts=$(fc-list 2>/dev/null || true)
grep -qi "Noto Sans CJK" <<<"$fonts" || missing+=(fonts-noto-cjk)
# WeasyPrint (the PDF exports) loads Pango through cffi at run time (its docs, Debian ≥ 11).
libs=$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null || true)
grep -q "libpango-1.0.so.0" <<<"$libs" || missing+=(libpango-1.0-0)
grep -q "libpangoft2-1.0.so.0" <<<"$libs" || missing+=(libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
else
  echo "apt-get is not available: install ${missing[*]} by hand." >&2
  exit 1
fi
