#!/usr/bin/env bash
# System packages the tests and the figures need, from Debian's archive and npm:
#   chromium          headless browser for the page tests and --pdf
#   fonts-noto-cjk    a CJK font, so Chinese never renders as boxes in figures and PDFs
#   poppler-utils     pdftotext and pdftoppm, with which the tests read and picture the briefing's PDF
#   nodejs, npm       to run Neo4j's Cypher front-end, which lints every statement sent to Neo4j, and to
#                     build the workspace console's editor bundle
#   postgresql        the workspace's tests start a real PostgreSQL server of their own (not the system one)
# Safe to run again: it installs only what is missing. Needs root (or sudo) for apt-get.
#
#   bash scripts/setup-system.sh           everything the tests need
#   bash scripts/setup-system.sh --fonts   only the CJK font and node (what `make demo` needs: the briefing's figures, the console's editor);
#                                          without root or sudo it says so and goes on: the briefing then
#                                          says in Chinese that its figures are missing
set -euo pipefail
cd "$(dirname "$0")/.."

has_cjk_font() {
  [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ -n "${JJJKG_CJK_FONT:-}" ] ||
    { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }
}

fonts_only=0
[ "${1:-}" = "--fonts" ] && fonts_only=1

need=()
has_cjk_font || need+=(fonts-noto-cjk)
# node and npm build the workspace console's editor (make demo builds it too)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ $fonts_only -eq 0 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"; else
    if [ $fonts_only -eq 1 ]; then
      echo "setup-system: WARNING: no CJK font, and no root or sudo to install one. The meeting pack's chain" >&2
      echo "  figures will be left out. Install it with: sudo apt-get install fonts-noto-cjk" >&2
      echo "  (or set JJJKG_CJK_FONT to a font file with Chinese glyphs), then run make demo again." >&2
      exit 0
    fi
    echo "setup-system: please install these Debian packages as root: ${need[*]}" >&2; exit 1
  fi
  echo "setup-system: installing ${need[*]} with apt-get (a few minutes on a fresh machine) …"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ $fonts_only -eq 1 ] && { echo "setup-system: CJK font ready"; exit 0; }

# Neo4j's Cypher linter, pinned in tests/cypher_lint/package-lock.json (it asks for a newer node than
# Debian ships and prints an EBADENGINE warning; it runs fine on node 18 and 20)
if [ ! -d tests/cypher_lint/node_modules/@neo4j-cypher/language-support ]; then
  echo "setup-system: installing Neo4j's Cypher linter (npm ci, pinned) …"
  npm ci --prefix tests/cypher_lint --no-audit --no-fund --loglevel=error
fi
echo "setup-system: ready"
