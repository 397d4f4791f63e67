#!/usr/bin/env bash
# pgfly watchdog: the parent of one PostgreSQL postmaster.
#
# While PostgreSQL may accept writes, the agent keeps a lease file holding a deadline in milliseconds
# of the kernel's uptime (/proc/uptime: a monotonic clock, so a wall-clock step backwards cannot
# extend the lease and delay fencing).
# If the agent stops renewing it (killed, frozen by SIGSTOP, starved), this loop shuts PostgreSQL
# down at once (SIGQUIT = immediate shutdown) so that a primary whose agent can no longer prove it
# leads stops serving writes before its coordination session can expire and another member be
# promoted. A deadline of 0 means "not a primary": nothing to fence. Kept in bash on purpose: it
# must keep running when the agent's JVM cannot, and it costs no JVM.
#
# usage: pgfly-watchdog.sh LEASE_FILE -- COMMAND...
set -u
lease=$1
shift
[ "${1:-}" = "--" ] && shift
"$@" &
pg=$!
trap 'kill -TERM "$pg" 2>/dev/null' TERM
trap 'kill -INT "$pg" 2>/dev/null' INT
trap 'kill -QUIT "$pg" 2>/dev/null' QUIT
echo "$pg" > "$lease.pid"
# The loop forks nothing: every command in it is a bash builtin, and it waits with `read -t` on a FIFO
# that nobody writes (opened read-write, so the open does not block), where `sleep` would fork a
# process 10 times a second per member. The FIFO is unlinked at once; the open descriptor is enough.
tick="$lease.tick.$$"
rm -f "$tick"
if mkfifo -m 600 "$tick" 2>/dev/null && exec 3<>"$tick"; then
  rm -f "$tick"
  pause() { read -r -t "$1" -u 3 _ 2>/dev/null; return 0; }
else
  rm -f "$tick"
  pause() { sleep "$1"; }
fi
fenced=0
while kill -0 "$pg" 2>/dev/null; do
  deadline=0
  if [ -r "$lease" ]; then
    read -r deadline < "$lease" || deadline=0
  fi
  case "$deadline" in ''|*[!0-9]*) deadline=0 ;; esac
  if [ "$fenced" = 0 ] && [ "$deadline" -gt 0 ]; then
    # /proc/uptime is "SECONDS.CC IDLE": read with the builtin (no fork), in ms.
    read -r up _ < /proc/uptime
    up=${up/./}
    now=$(( 10#$up * 10 ))
    if [ "$now" -gt "$deadline" ]; then
      echo "pgfly-watchdog: lease expired $(( now - deadline )) ms ago: immediate shutdown of PostgreSQL (pid $pg) to fence it" >&2
      kill -QUIT "$pg" 2>/dev/null
      fenced=1
    fi
  fi
  # A lease in force is checked 10 times a second (the agent renews it every 400 ms and it runs 2 s);
  # without one (a replica, or no primary yet) there is nothing to fence, and the first lease an agent
  # writes lies 2 s ahead, so twice a second is soon enough to see it.
  if [ "$deadline" -gt 0 ] && [ "$fenced" = 0 ]; then
    pause 0.1
  else
    pause 0.5
  fi
done
wait "$pg"
status=$?
rm -f "$lease.pid"
exit "$status"
