#!/usr/bin/env bash
# The npm package stepfunctions-local, kept only to compare benchmark figures
# with hsc serve (server's BenchmarkExternalStartToSucceeded, given its URL in
# HSC_BENCH_ENDPOINT). Neither CI nor any test uses it: the tests run against
# hsc's own server. It needs Node.js and npm.
#
#   eval "$(bash .ci/sfnlocal.sh start)"
#   HSC_BENCH_ENDPOINT=$HSC_SFN_ENDPOINT go test ./server -run '^$' -bench External
#   bash .ci/sfnlocal.sh stop
#
# (HSC_SFN_ENDPOINT is exported for the benchmark command above only; do not
# leave it set for go test: it points the tests at that server, whose
# departures from Step Functions they would then report.)
#
#   eval "$(bash .ci/sfnlocal.sh start)"   # install if needed, start, wait, export
#   ...                                      # HSC_SFN_ENDPOINT and SFNLOCAL_PID are set
#   bash .ci/sfnlocal.sh stop               # stops the server named by $SFNLOCAL_PID
#   bash .ci/sfnlocal.sh stop PID           # or by an explicit process id
#   bash .ci/sfnlocal.sh install            # only install into the cache folder
#
# `start` prints shell `export` lines on stdout and everything else on stderr.
# The server listens on 127.0.0.1 only, on a port the kernel picks (no races
# with other servers), and logs to $SFNLOCAL_CACHE/server-<pid>.log.
#
# Environment:
#   SFNLOCAL_CACHE    install folder (default: <repo>/.cache/sfnlocal, gitignored)
#   SFNLOCAL_VERSION  npm version to install (default: 1.3.1)
#   SFNLOCAL_REGION   region the server puts in state-machine ARNs (default: us-east-1)
#   SFNLOCAL_TIMEOUT  seconds to wait for the server to answer (default: 30)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SFNLOCAL_CACHE:-$repo/.cache/sfnlocal}"
version="${SFNLOCAL_VERSION:-1.3.1}"
region="${SFNLOCAL_REGION:-us-east-1}"
timeout="${SFNLOCAL_TIMEOUT:-30}"
pkg="$cache/node_modules/stepfunctions-local"

log() { echo "sfnlocal: $*" >&2; }

installed_version() {
	[ -f "$pkg/package.json" ] || return 0
	node -e 'process.stdout.write(require(process.argv[1]).version)' "$pkg/package.json"
}

install() {
	command -v node >/dev/null || { log "node is not installed"; exit 1; }
	command -v npm >/dev/null || { log "npm is not installed"; exit 1; }
	mkdir -p "$cache"
	# Several jobs may share the cache: install under a lock.
	exec 9>"$cache/.lock"
	if command -v flock >/dev/null; then flock 9; fi
	if [ "$(installed_version)" != "$version" ]; then
		log "installing stepfunctions-local@$version into $cache"
		npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts \
			--loglevel=error "stepfunctions-local@$version" >&2
	fi
	exec 9>&-
}

# The launcher binds the server to 127.0.0.1 (the package itself listens on
# every interface) on port 0, and reports the port the kernel chose. It also
# keeps the server alive when one of its background execution loops throws
# (e.g. an activity deleted while an execution waits on it crashes 1.3.1):
# the error is logged and that execution stays RUNNING.
launcher='
process.on("uncaughtException", (e) => console.error("sfnlocal: uncaught:", e));
process.on("unhandledRejection", (e) => console.error("sfnlocal: unhandled rejection:", e));
const http = require("http");
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  const cb = args.find((a) => typeof a === "function");
  return listen.call(this, 0, "127.0.0.1", function () {
    console.log("SFNLOCAL_PORT=" + this.address().port);
    if (cb) cb.call(this);
  });
};
require(process.argv[1]).start({ port: 0, region: process.argv[2] });
'

start() {
	install
	local logf pid port="" deadline
	logf="$(mktemp "$cache/server-XXXXXX.log")"
	# The server outlives this script; `stop` ends it.
	nohup node -e "$launcher" "$pkg" "$region" >"$logf" 2>&1 </dev/null &
	pid=$!
	deadline=$((SECONDS + timeout))
	while [ -z "$port" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "server exited; log follows"; cat "$logf" >&2; exit 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "server did not start within ${timeout}s"; kill "$pid" 2>/dev/null || true; exit 1
		fi
		port="$(sed -n 's/^SFNLOCAL_PORT=\([0-9]*\)$/\1/p' "$logf" | head -n1)"
		[ -n "$port" ] || sleep 0.2
	done
	local endpoint="http://127.0.0.1:$port"
	# Wait until it answers an API call (ListStateMachines).
	until curl -fsS -o /dev/null -X POST "$endpoint/" \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H 'X-Amz-Target: AWSStepFunctions.ListStateMachines' -d '{}'; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "server at $endpoint does not answer"; kill "$pid" 2>/dev/null || true; exit 1
		fi
		sleep 0.2
	done
	log "stepfunctions-local $version listening on $endpoint (pid $pid, log $logf)"
	echo "export HSC_SFN_ENDPOINT=$endpoint"
	echo "export SFNLOCAL_PID=$pid"
}

stop() {
	local pid="${1:-${SFNLOCAL_PID:-}}"
	if [ -z "$pid" ]; then log "stop: no pid given and SFNLOCAL_PID is not set"; exit 2; fi
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		log "stopped server (pid $pid)"
	fi
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) shift; stop "$@" ;;
*)
	echo "usage: $0 install | start | stop [PID]" >&2
	exit 2
	;;
esac
