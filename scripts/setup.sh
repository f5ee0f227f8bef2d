#!/usr/bin/env bash
# Installs what building, running and testing Parlance needs on Debian/Ubuntu,
# skipping whatever is already present. Safe to run repeatedly.
set -euo pipefail

APT_PACKAGES=(
  build-essential pkg-config curl file sqlite3
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  libssl-dev libdbus-1-dev
  webkit2gtk-driver xvfb xauth
  gnome-keyring dbus-x11
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked
fi

if [ -f ui/package.json ] && [ ! -d ui/node_modules ]; then
  echo "setup: installing UI packages"
  (cd ui && npm ci --no-audit --no-fund)
fi
echo "setup: ready"
