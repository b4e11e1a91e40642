#!/usr/bin/env bash
# The report test renders the HTML report in Debian's headless Chromium (and a CJK font so
# its screenshots show Chinese); install them when missing and the machine allows it.
set -eu
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi -E 'wqy|noto.*cjk' || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]} and cannot install here; the browser test will skip if chromium is absent" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq "${missing[@]}" >/dev/null || echo "could not install ${missing[*]}" >&2
