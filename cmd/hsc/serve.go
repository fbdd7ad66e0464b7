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
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/internal/taskcmd"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
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
		consoleMode string
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8083] [--task NAME=COMMAND]... [--mock FILE] [--wait-scale F]",
		Short: "Serve the AWS Step Functions API locally, running executions on hsc's interpreter",
		Long: `Serve the AWS Step Functions API (AWS JSON 1.0, as the SDKs and the AWS CLI
speak it) on --addr, running executions on hsc's own interpreter, until SIGINT
or SIGTERM. It listens on loopback unless --addr says otherwise, and prints
its endpoint URL on standard output when it is ready; point clients at it
(AWS_ENDPOINT_URL, --endpoint-url). Records are kept in memory.

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
			cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			s, err := server.New(cfg)
			if err != nil {
				return usageError{err}
			}
			switch consoleMode {
			case "loopback", "any":
				con, err := console.New(s, console.Options{AllowRemote: consoleMode == "any", Logger: cfg.Logger})
				if err != nil {
					return err
				}
				s.Mount(con)
			case "off":
			default:
				return usageError{fmt.Errorf("serve: --console must be loopback, any or off, not %q", consoleMode)}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := s.Start(); err != nil {
				return err
			}
			if !loopback(s.URL()) {
				cfg.Logger.Warn("listening beyond loopback: anyone who can reach this address can use the API (no authentication)", "url", s.URL())
			}
			if _, err := fmt.Fprintln(cmd.OutOrStdout(), s.URL()); err != nil {
				return errors.Join(fmt.Errorf("writing the endpoint URL: %w", err), s.Close())
			}
			if err := syncOutput(cmd.OutOrStdout()); err != nil {
				return errors.Join(err, s.Close())
			}
			<-ctx.Done()
			cfg.Logger.Info("shutting down", "cause", context.Cause(ctx))
			return s.Close()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", server.DefaultAddr, "listen on `HOST:PORT` (port 0: any free port)")
	fl.StringArrayVarP(&tasks, "task", "t", nil, "answer Task `NAME=COMMAND` (repeatable): NAME is a state, Lambda function or activity name")
	fl.StringVar(&mock, "mock", "", "mocked task responses from `FILE` (AWS Step Functions Local format; env "+envMockConfig+")")
	fl.Float64Var(&waitScale, "wait-scale", 1, "scale time by `F`: Waits, retries, timeouts, heartbeats (0: virtual time)")
	fl.IntVar(&maxFinished, "max-finished", 0, "keep at most `N` finished executions, dropping the oldest (0: 10,000)")
	fl.BoolVarP(&verbose, "verbose", "v", false, "log at debug level")
	fl.StringVar(&consoleMode, "console", "loopback", "web console at / on the same port: `loopback` (answer loopback clients only), any, or off")
	return cmd
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
