#!/usr/bin/env bash
# Make sure the system packages the project needs are present: Debian's chromium (its SwiftShader
# Vulkan driver is the CPU WebGPU here, and Playwright drives it) and the Vulkan loader Dawn needs
# in Node. Installs them with apt-get when run as root; otherwise says which command to run.
set -euo pipefail
missing=()
[ -x "${SMX_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} with apt-get (needed for WebGPU on this machine)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}." >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  echo "(or point SMX_CHROMIUM at a Chromium with WebGPU, and SMX_VK_ICD at a Vulkan ICD JSON)" >&2
  exit 1
fi
