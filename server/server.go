package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
)

// Defaults of Config.
const (
	DefaultAddr      = "127.0.0.1:8083"
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	// DefaultMaxBodyBytes bounds a request body: a definition of 1,048,576
	// characters, escaped as a JSON string (up to 6 bytes a character),
	// with room for the other members.
	DefaultMaxBodyBytes = 7 << 20
	// ActivityPollTimeout is how long GetActivityTask holds a request
	// when no task comes (60 s on AWS).
	ActivityPollTimeout = 60 * time.Second
	// closeWait bounds how long Close waits for aborted executions to end.
	closeWait = 10 * time.Second
)

// Config configures a Server. The zero value serves on DefaultAddr in
// DefaultRegion and DefaultAccountID with real time and an in-memory store.
type Config struct {
	// Addr is the listen address (default 127.0.0.1:8083; use
	// "127.0.0.1:0" for any free port).
	Addr      string
	Region    string
	AccountID string
	// Tasks answers Task states that are not activities (Lambda functions
	// and service integrations); nil leaves them unanswered, which fails
	// the execution naming the state and resource.
	Tasks interpreter.TaskResolver
	// Mock is a Step Functions Local mock configuration; an execution
	// started on "<stateMachineArn>#<TestCase>" uses that test case.
	Mock *interpreter.MockConfig
	// WaitScale scales time on executions' clocks: Wait states, retry
	// intervals, timeouts and heartbeats take WaitScale times as long (0.1:
	// ten times faster). 0 means 1 (real time).
	WaitScale float64
	// VirtualTime runs executions on virtual time: waits do not wait
	// (--wait-scale 0).
	VirtualTime bool
	// MaxFinished bounds the finished executions kept in memory (0:
	// 10,000); the oldest are dropped first and the drop is logged.
	MaxFinished int
	// Store keeps the records; nil means a new in-memory store.
	Store store.Store
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies (0: DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// PollTimeout is how long GetActivityTask waits for a task (0:
	// ActivityPollTimeout).
	PollTimeout time.Duration
	// MaxPollers bounds the GetActivityTask requests waiting on one
	// activity (0: DefaultMaxPollers, AWS's quota).
	MaxPollers int
}

// Server is a running (or startable) local Step Functions service.
type Server struct {
	cfg   Config
	now   func() time.Time
	store store.Store
	log   *slog.Logger
	val   *validator
	// events encodes history events.
	events eventLayout
	ops    map[string]operation

	ln   net.Listener
	http *http.Server

	// ctx is cancelled by Close: running executions and long polls end.
	ctx    context.Context
	cancel context.CancelFunc

	// pages answers the requests that are not API requests (Mount).
	pages http.Handler

	machines *machineCache
	// contentType is the Content-Type header of every answer (shared,
	// never written).
	contentType []string
	starts      startCache
	runs        *runs
	tasks       *taskQueues
	mapRuns     *mapRuns
	commits     *committer
	stalled     stalledRuns // executions waiting for the store to take writes

	// resumeUntil ends the grace period after start-up in which SendTask…
	// waits for tokens of resumed executions (resume.go).
	resumeUntil time.Time

	mu        sync.Mutex // guards ln, http, closing and wg.Add
	closing   bool
	wg        sync.WaitGroup // executions and their goroutines
	closeOnce sync.Once
}

// track counts one more goroutine that Close waits for; it reports false
// once Close has begun.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	return true
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func validRegion(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// New returns a server for cfg; Start makes it listen.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.WaitScale == 0 {
		cfg.WaitScale = 1
	}
	if cfg.WaitScale < 0 || math.IsNaN(cfg.WaitScale) || math.IsInf(cfg.WaitScale, 0) {
		return nil, fmt.Errorf("server: wait scale %g is not a non-negative number", cfg.WaitScale)
	}
	if !validAccount(cfg.AccountID) {
		return nil, fmt.Errorf("server: account id %q is not 12 digits", cfg.AccountID)
	}
	if !validRegion(cfg.Region) {
		return nil, fmt.Errorf("server: region %q is not a region name (such as us-east-1)", cfg.Region)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = ActivityPollTimeout
	}
	if cfg.MaxPollers <= 0 {
		cfg.MaxPollers = DefaultMaxPollers
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	val, err := newValidator()
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{cfg: cfg, now: time.Now, log: log, val: val, machines: newMachineCache(), contentType: []string{contentType}, events: newEventLayout(), runs: newRuns(), tasks: newTaskQueues(cfg.MaxPollers), mapRuns: newMapRuns()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.commits = newCommitter(s, cfg.Store == nil)
	if cfg.Store != nil {
		s.store = cfg.Store
	} else {
		s.store = memstore.New(memstore.Options{MaxFinished: cfg.MaxFinished, OnDrop: func(arns []string) {
			s.log.Info("dropped finished executions beyond the retention bound", "count", len(arns), "oldest", arns[0], "bound", max(cfg.MaxFinished, memstore.DefaultMaxFinished))
		}})
	}
	s.runs.keepEnded = s.durable()
	s.ops = s.operations()
	return s, nil
}

// Start listens on the configured address and serves in the background.
// A server starts once; Start after Close fails.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return errors.New("server: closed")
	}
	if s.ln != nil {
		s.mu.Unlock()
		return errors.New("server: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("server: %w", err)
	}
	s.ln = ln
	s.mu.Unlock()
	// Executions that were running when the store was last used go on
	// before the first request is served.
	if err := s.resumeAll(s.ctx); err != nil {
		ln.Close()
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln = ln
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return s.ctx }}
	srv := s.http
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	s.log.Info("serving the Step Functions API", "url", "http://"+ln.Addr().String(), "region", s.cfg.Region, "account", s.cfg.AccountID)
	return nil
}

// URL is the endpoint URL clients use (http://host:port), after Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// PurgeFinished deletes up to limit executions that ended before the
// cutoff, with their histories, oldest first (store.Tx.PurgeFinished), and
// reports how many it deleted. Retention goes through it rather than
// straight to the store: the server forgets what it keeps in memory of
// the executions that ended.
func (s *Server) PurgeFinished(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx store.Tx) (err error) {
		n, err = tx.PurgeFinished(before, limit)
		return err
	})
	if n > 0 || err != nil {
		s.runs.forgetEnded("")
	}
	return n, err
}

// Close stops listening, ends long polls, aborts running executions and
// waits for them, then closes the store if the server made it.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		srv := s.http
		s.mu.Unlock()
		s.cancel()
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if serr := srv.Shutdown(ctx); serr != nil {
				// Connections that stay busy or never send a request:
				// close them rather than wait.
				s.log.Info("closing connections still open at shutdown", "err", serr)
				err = srv.Close()
			}
			cancel()
		}
		done := make(chan struct{})
		go func() { s.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeWait):
			// A task resolver that ignores cancellation keeps its
			// execution alive; do not hang on it.
			s.log.Warn("executions still running after Close", "waited", closeWait)
		}
		s.commits.close() // what was handed to it is stored
		if s.cfg.Store == nil {
			if cerr := s.store.Close(); err == nil {
				err = cerr
			}
		}
	})
	return err
}

// Run starts the server and serves until ctx is done, then closes it: the
// whole life of a `hsc serve` process.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	s.log.Info("shutting down")
	return s.Close()
}
