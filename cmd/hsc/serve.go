package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/internal/taskcmd"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// envMockConfig names the mock file when --mock is not given, as AWS Step
// Functions Local reads it.
const envMockConfig = "SFN_MOCK_CONFIG"

func newServeCmd(g *globalFlags) *cobra.Command {
	var (
		addr        string
		tasks       []string
		mock        string
		waitScale   float64
		maxFinished int
		verbose     bool
		dataDir     string
		memory      bool
		syncMode    string
		retention   = days(90 * 24 * time.Hour)
		consoleMode string
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8083] [--data DIR | --memory] [--task NAME=COMMAND]... [--mock FILE] [--wait-scale F]",
		Short: "Serve the AWS Step Functions API locally, running executions on hsc's interpreter",
		Long: `Serve the AWS Step Functions API (AWS JSON 1.0, as the SDKs and the AWS CLI
speak it) on --addr, running executions on hsc's own interpreter, until SIGINT
or SIGTERM. It listens on loopback unless --addr says otherwise, and prints
its endpoint URL on standard output when it is ready; point clients at it
(AWS_ENDPOINT_URL, --endpoint-url).

State machines, activities, executions and their histories are kept in a
database in --data DIR (default: hsc/serve under the user's state
directory, printed at start-up); one hsc serve at a time may use a
directory. A transaction is committed before its request is answered:
what was acknowledged survives a crash of the process, and with --sync full
a power loss too. Finished executions older than --retention (default
90d, as on AWS; 0: keep them) are deleted with their histories. --memory
keeps everything in memory instead, for this process only, bounded by
--max-finished.

Activities are served to workers polling GetActivityTask (hsc worker, any
SDK). Lambda functions and service integrations are answered by --task
commands (the contract of hsc run --task) and by a mock file in the AWS Step
Functions Local format (--mock, or the environment variable SFN_MOCK_CONFIG):
start an execution on "<stateMachineArn>#<TestCase>" to use a test case.
--wait-scale F scales Wait states, retry intervals, timeouts and heartbeats
(0.1: ten times faster; 0: virtual time, no waiting). --region and
--account-id set the ARNs the server makes.

A web console answers at the same URL in a browser (GET /): state machines
and their graphs, executions with their path, history and timeline, Stop and
Redrive, activities and a page to send task tokens by hand. It answers only
loopback clients unless --console any, checks the Host and Origin headers and
uses CSRF tokens; --console off turns it off.

The server runs Go's garbage collector less often than Go's default
(GOGC=400, with a soft memory limit of 512 MiB): fewer collections
mean fewer pauses in the answers. The environment variables GOGC and
GOMEMLIMIT override either.

The README section "Local Step Functions API: hsc serve" lists the client
settings (the "sync-" host prefix) and what differs from AWS.`,
		Example: `  hsc serve
  hsc serve --addr 127.0.0.1:0 --wait-scale 0 --task greet='jq "{message: .name}"'
  AWS_ENDPOINT_URL=http://127.0.0.1:8083 aws stepfunctions list-state-machines`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := server.Config{Addr: addr, Region: g.region, AccountID: g.accountID, MaxFinished: maxFinished}
			switch {
			case waitScale < 0 || math.IsNaN(waitScale) || math.IsInf(waitScale, 0):
				return usageError{fmt.Errorf("serve: --wait-scale must be a non-negative number, not %g", waitScale)}
			case waitScale == 0:
				cfg.VirtualTime = true
			default:
				cfg.WaitScale = waitScale
			}
			if maxFinished < 0 {
				return usageError{fmt.Errorf("serve: --max-finished must not be negative, not %d", maxFinished)}
			}
			if cmd.Flags().Changed("max-finished") && !memory {
				return usageError{errors.New("serve: --max-finished bounds the in-memory store: use it with --memory (the data directory keeps finished executions for --retention)")}
			}
			if memory && cmd.Flags().Changed("data") {
				return usageError{errors.New("serve: --memory and --data exclude each other")}
			}
			var sqlOpts sqlstore.Options
			switch strings.ToLower(syncMode) {
			case "normal":
			case "full":
				sqlOpts.Sync = sqlstore.SyncFull
			default:
				return usageError{fmt.Errorf("serve: --sync must be normal or full, not %q", syncMode)}
			}
			commands := map[string]string{}
			for _, t := range tasks {
				name, command, ok := strings.Cut(t, "=")
				if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(command) == "" {
					return usageError{fmt.Errorf("--task %q: want NAME=COMMAND", t)}
				}
				commands[strings.TrimSpace(name)] = command
			}
			if len(commands) > 0 {
				cfg.Tasks = taskcmd.NewResolver(commands)
			}
			if mock == "" {
				mock = os.Getenv(envMockConfig)
			}
			if mock != "" {
				data, err := os.ReadFile(mock)
				if err != nil {
					return err
				}
				mc, err := interpreter.ParseMockConfig(data)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", mock, err)}
				}
				cfg.Mock = mc
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			cfg.Logger = log
			switch consoleMode {
			case "loopback", "any", "off":
			default:
				return usageError{fmt.Errorf("serve: --console must be loopback, any or off, not %q", consoleMode)}
			}
			serveGC(log)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var st store.Store
			if memory {
				st = memstore.New(memstore.Options{MaxFinished: maxFinished, OnDrop: func(arns []string) {
					log.Info("dropped finished executions beyond --max-finished", "count", len(arns), "oldest", arns[0], "bound", max(maxFinished, memstore.DefaultMaxFinished))
				}})
				log.Info("keeping records in memory only (--memory)")
			} else {
				if dataDir == "" {
					d, err := defaultDataDir()
					if err != nil {
						return usageError{fmt.Errorf("serve: no default data directory (%w): give --data DIR or --memory", err)}
					}
					dataDir = d
				}
				sqlOpts.Logger = log
				began := time.Now()
				ss, err := sqlstore.Open(ctx, dataDir, sqlOpts)
				if err != nil {
					// Exit status 1 (a service failure), not 2 as for an
					// unreadable input file: the message says what to do.
					return fmt.Errorf("serve: %s", err.Error())
				}
				st = ss
				log.Info("data directory", "dir", dataDir, "sync", strings.ToLower(syncMode), "retention", retention.String(), "opened in", time.Since(began).Round(time.Millisecond))
			}
			cfg.Store = st
			s, err := server.New(cfg)
			if err != nil {
				return errors.Join(usageError{err}, st.Close())
			}
			if consoleMode != "off" {
				con, err := console.New(s, console.Options{AllowRemote: consoleMode == "any", Logger: log})
				if err != nil {
					return errors.Join(err, st.Close())
				}
				s.Mount(con)
			}
			if err := s.Start(); err != nil {
				return errors.Join(err, s.Close(), st.Close())
			}
			retained := make(chan struct{})
			rctx, stopRetention := context.WithCancel(context.Background())
			go func() {
				defer close(retained)
				if retention > 0 {
					retain(rctx, s, st, time.Duration(retention), log)
				}
			}()
			shutdown := func() error {
				stopRetention()
				<-retained
				return closeServer(s, st, log)
			}
			if !loopback(s.URL()) {
				cfg.Logger.Warn("listening beyond loopback: anyone who can reach this address can use the API (no authentication)", "url", s.URL())
			}
			if _, err := fmt.Fprintln(cmd.OutOrStdout(), s.URL()); err != nil {
				return errors.Join(fmt.Errorf("writing the endpoint URL: %w", err), shutdown())
			}
			if err := syncOutput(cmd.OutOrStdout()); err != nil {
				return errors.Join(err, shutdown())
			}
			<-ctx.Done()
			stop() // a second signal ends the process at once
			log.Info("shutting down", "cause", context.Cause(ctx))
			return shutdown()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", server.DefaultAddr, "listen on `HOST:PORT` (port 0: any free port)")
	fl.StringArrayVarP(&tasks, "task", "t", nil, "answer Task `NAME=COMMAND` (repeatable): NAME is a state, Lambda function or activity name")
	fl.StringVar(&mock, "mock", "", "mocked task responses from `FILE` (AWS Step Functions Local format; env "+envMockConfig+")")
	fl.Float64Var(&waitScale, "wait-scale", 1, "scale time by `F`: Waits, retries, timeouts, heartbeats (0: virtual time)")
	fl.StringVar(&dataDir, "data", "", "keep records in a database in `DIR` (default: hsc/serve in the user's state directory)")
	fl.BoolVar(&memory, "memory", false, "keep records in memory only, for this process")
	fl.StringVar(&syncMode, "sync", "normal", "`normal`: commits survive a crash of the process; full: also a power loss (slower)")
	fl.Var(&retention, "retention", "delete finished executions older than `AGE` (such as 90d, 12h; 0: never)")
	fl.IntVar(&maxFinished, "max-finished", 0, "with --memory, keep at most `N` finished executions, dropping the oldest (0: 10,000)")
	fl.BoolVarP(&verbose, "verbose", "v", false, "log at debug level")
	fl.StringVar(&consoleMode, "console", "loopback", "web console at / on the same port: `loopback` (answer loopback clients only), any, or off")
	return cmd
}

// Garbage collector settings of hsc serve where the environment sets none.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 512 << 20
)

// serveGC sets the garbage collector for a server: its live heap is small
// (a few MB) while every request allocates, so Go's default (a collection
// each time the heap doubles, at least every 4 MB) collects hundreds of
// times a second under load, and each collection pauses and preempts the
// goroutines answering requests. GOGC=400 collects a quarter as often; the
// soft memory limit keeps a large live heap (--memory with many
// histories) from growing five-fold unchecked. GOGC and GOMEMLIMIT in the
// environment win, as for any Go program.
func serveGC(log *slog.Logger) {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(serveGCPercent)
		log.Debug("garbage collector", "GOGC", serveGCPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(serveMemoryLimit)
		log.Debug("garbage collector", "GOMEMLIMIT", serveMemoryLimit)
	}
}

// loopback reports whether the endpoint URL's host is a loopback address.
func loopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// shutdownGrace bounds how long closing the server may take before the
// store is closed under whatever still runs (it resumes at the next start).
const shutdownGrace = 5 * time.Second

// closeServer stops the server (no new requests, long polls answered,
// short requests finished) within shutdownGrace, then closes the store.
func closeServer(s *server.Server, st store.Store, log *slog.Logger) error {
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(shutdownGrace):
		log.Warn("the server did not stop within the grace period; closing the store under it", "grace", shutdownGrace)
	}
	if cerr := st.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("closing the store: %w", cerr))
	} else {
		log.Info("store closed")
	}
	return err
}

// defaultDataDir is where hsc serve keeps its database when --data is not
// given: $XDG_STATE_HOME/hsc/serve (~/.local/state/hsc/serve) on Unix
// systems, the user's application data folder on macOS and the local
// application data folder on Windows.
func defaultDataDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "hsc", "serve"), nil
	}
	var base string
	var err error
	switch runtime.GOOS {
	case "darwin", "ios":
		base, err = os.UserConfigDir() // ~/Library/Application Support: not purged like Caches
	case "windows", "plan9":
		base, err = os.UserCacheDir() // %LocalAppData%
	default:
		var home string
		home, err = os.UserHomeDir()
		base = filepath.Join(home, ".local", "state")
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "hsc", "serve"), nil
}

// days is a duration flag that also takes days: "90d", "1d12h", "36h".
type days time.Duration

func (d *days) String() string {
	v := time.Duration(*d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *days) Type() string { return "AGE" }

func (d *days) Set(s string) error {
	v, err := parseDays(s)
	if err != nil {
		return err
	}
	*d = days(v)
	return nil
}

// parseDays reads a duration as time.ParseDuration does, with a leading
// count of days ("d") allowed.
func parseDays(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if s == "" || s == "d" {
		return 0, fmt.Errorf("%q: want an age such as 90d, 12h or 1d12h", s)
	}
	var total time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil || n > 1e6 {
			return 0, fmt.Errorf("%q: want an age such as 90d, 12h or 1d12h", s)
		}
		total = time.Duration(n) * 24 * time.Hour
		rest = s[i+1:]
	}
	if rest != "" {
		v, err := time.ParseDuration(rest)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q: want an age such as 90d, 12h or 1d12h", s)
		}
		total += v
	}
	if total < 0 {
		return 0, fmt.Errorf("%q: want a non-negative age", s)
	}
	return total, nil
}

// compacter is what retention needs of a store beyond store.Store: giving the
// freed space back (sqlstore has it).
type compacter interface {
	Compact(ctx context.Context, pages int) error
}

// retentionBatch is how many executions one retention transaction deletes,
// so that requests wait little for it.
const retentionBatch = 200

// retain deletes finished executions older than age, now and then every
// min(age/10, 1 h), until ctx ends, and compacts the store after deleting.
func retain(ctx context.Context, s *server.Server, st store.Store, age time.Duration, log *slog.Logger) {
	every := min(max(age/10, time.Second), time.Hour)
	for {
		total := 0
		for ctx.Err() == nil {
			n, err := s.PurgeFinished(ctx, time.Now().Add(-age), retentionBatch)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("retention: deleting old executions failed; retrying later", "err", err)
				}
				break
			}
			total += n
			if n < retentionBatch {
				break
			}
		}
		if total > 0 {
			log.Info("retention: deleted finished executions", "count", total, "older than", (*days)(&age).String())
			if c, ok := st.(compacter); ok {
				if err := c.Compact(ctx, 0); err != nil && ctx.Err() == nil {
					log.Warn("retention: compacting the store failed", "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
