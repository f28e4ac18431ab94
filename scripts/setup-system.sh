#!/usr/bin/env bash
# System packages the tests and the figures need, from Debian's archive and npm:
#   chromium          headless browser for the page tests and --pdf
#   fonts-noto-cjk    a CJK font, so Chinese never renders as boxes in figures and PDFs
#   nodejs, npm       to run Neo4j's Cypher front-end, which lints every statement sent to Neo4j
# Safe to run again: it installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-system: please install these Debian packages as root: ${need[*]}" >&2; exit 1
  fi
  echo "setup-system: installing ${need[*]} …"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Neo4j's Cypher linter, pinned in tests/cypher_lint/package-lock.json (it asks for a newer node than
# Debian ships and prints an EBADENGINE warning; it runs fine on node 18 and 20)
if [ ! -d tests/cypher_lint/node_modules/@neo4j-cypher/language-support ]; then
  npm ci --prefix tests/cypher_lint --no-audit --no-fund --loglevel=error
fi
echo "setup-system: ready"
