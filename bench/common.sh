# Shared by the bench/compare-*.sh scripts (sourced, not run).

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# apt_install PKG…: installs the Debian packages that are missing (needs root or sudo the first time).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} ..." >&2
    $SUDO apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# only_cases REGEX: keeps the entries of the CASES array that match REGEX (none given: all); exit 2 if none match.
only_cases() {
  [ -n "$1" ] || return 0
  local selected=() c
  for c in "${CASES[@]}"; do if [[ "$c" =~ $1 ]]; then selected+=("$c"); fi; done
  [ ${#selected[@]} -gt 0 ] || { echo "--only '$1' matches no case" >&2; exit 2; }
  CASES=("${selected[@]}")
}

# run_rounds ASK_A ASK_B LABEL_A LABEL_B: ROUNDS rounds of CASES, asking side A and side B in turn (who goes first
# alternates by round); appends "round<TAB>case<TAB>A's reply<TAB>B's reply" to RESULTS; stops on an error reply.
run_rounds() {
  local r c A B
  for r in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
      if [ $((r % 2)) = 1 ]; then "$1" "$c $BUDGET_MS"; A="$REPLY"; "$2" "$c $BUDGET_MS"; B="$REPLY"
      else "$2" "$c $BUDGET_MS"; B="$REPLY"; "$1" "$c $BUDGET_MS"; A="$REPLY"; fi
      case "$A$B" in *error*) echo "failed on '$c': $3: $A / $4: $B" >&2; exit 1 ;; esac
      printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$A" "$B" >> "$RESULTS"
      echo "round $r/$ROUNDS  $c  $3 ${A%% *} ms  $4 ${B%% *} ms" >&2
    done
  done
}
