#!/usr/bin/env bash
# The translators' workflow (docs/translating.md):
#   bash scripts/translations.sh extract          # source -> discuss/translations/<domain>.pot
#   bash scripts/translations.sh update           # .pot -> every language's .po (new and changed msgids)
#   bash scripts/translations.sh init LANG        # start a new language's messages.po
#   bash scripts/translations.sh compile          # .po -> .mo (committed; tests/test_i18n.py checks they match)
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=discuss/translations
DOMAINS=(messages moderation)

case "${1:-}" in
  extract)
    for domain in "${DOMAINS[@]}"; do
      "$PYBABEL" extract -F "$DIR/$domain.cfg" -k lazy_gettext -k lazy_ngettext:1,2 -k N_ --project discuss --version 0.1.0 \
        --copyright-holder "discuss contributors" --msgid-bugs-address "" --sort-by-file \
        -o "$DIR/$domain.pot" .
    done
    ;;
  update)
    for domain in "${DOMAINS[@]}"; do
      # --no-fuzzy-matching: a guessed translation is worse than none (the completeness test says which).
      "$PYBABEL" update -D "$domain" -i "$DIR/$domain.pot" -d "$DIR" --no-fuzzy-matching --ignore-obsolete
    done
    ;;
  init)
    "$PYBABEL" init -D messages -i "$DIR/messages.pot" -d "$DIR" -l "${2:?language code, e.g. cy}"
    ;;
  compile)
    for domain in "${DOMAINS[@]}"; do
      "$PYBABEL" compile -D "$domain" -d "$DIR" --statistics
    done
    ;;
  *)
    echo "usage: $0 extract|update|init LANG|compile" >&2
    exit 2
    ;;
esac
