# Shared by the bench/compare-*.sh scripts (sourced, not run).

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# The comparison's scratch folder, and on exit: close the pipes, stop the servers, remove the folder.
WORK="$(mktemp -d)"
SERVER_PIDS=()
trap 'exec 3>&- 5>&- 2>/dev/null || true; for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

# start_server a|b NAME COMMAND…: starts a server of the benchmark's line protocol, reading requests from one FIFO and
# answering into another; connect_servers then opens side a on fds 3/4 and side b on 5/6, and ask_a/ask_b send one
# request and read its answer into REPLY (a dead server stops the script, naming it).
start_server() {
  local side="$1" name="$2"; shift 2
  mkfifo "$WORK/$side.in" "$WORK/$side.out"
  "$@" < "$WORK/$side.in" > "$WORK/$side.out" & SERVER_PIDS+=($!)
  printf -v "SERVER_NAME_$side" '%s' "$name"
}
connect_servers() { exec 3> "$WORK/a.in" 4< "$WORK/a.out" 5> "$WORK/b.in" 6< "$WORK/b.out"; }
ask_a() { echo "$1" >&3; read -r REPLY <&4 || { echo "$SERVER_NAME_a server died on '$1'" >&2; exit 1; }; }
ask_b() { echo "$1" >&5; read -r REPLY <&6 || { echo "$SERVER_NAME_b server died on '$1'" >&2; exit 1; }; }
stop_servers() { echo quit >&3; echo quit >&5; }

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

# run_rounds LABEL_A LABEL_B: ROUNDS rounds of CASES, asking side a and side b in turn (who goes first alternates by
# round); appends "round<TAB>case<TAB>a's reply<TAB>b's reply" to RESULTS; stops on an error reply.
run_rounds() {
  local r c A B
  for r in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
      if [ $((r % 2)) = 1 ]; then ask_a "$c $BUDGET_MS"; A="$REPLY"; ask_b "$c $BUDGET_MS"; B="$REPLY"
      else ask_b "$c $BUDGET_MS"; B="$REPLY"; ask_a "$c $BUDGET_MS"; A="$REPLY"; fi
      case "$A$B" in *error*) echo "failed on '$c': $1: $A / $2: $B" >&2; exit 1 ;; esac
      printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$A" "$B" >> "$RESULTS"
      echo "round $r/$ROUNDS  $c  $1 ${A%% *} ms  $2 ${B%% *} ms" >&2
    done
  done
}
