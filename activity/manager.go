package activity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
)

// Spec describes one activity a Manager runs.
type Spec struct {
	// Activity is the activity's name or ARN (see NewWorker).
	Activity string
	Handler  Handler
	// Options for the worker; Options.Concurrency is the concurrency for
	// this activity, and a nil Options.Logger means the manager's logger.
	Options Options
}

// Manager runs one Worker per activity, restarts a worker whose loop died
// (with exponential backoff, logged), and stops all of them when its
// context is cancelled or the process gets SIGINT or SIGTERM, each after
// its grace period. It is heaviside's ActivityManager, without processes.
type Manager struct {
	API        API
	Activities []Spec
	// Logger receives the manager's logs and, by default, the workers'.
	Logger *slog.Logger
	// RestartMin and RestartMax bound the wait before restarting a worker
	// that died; it doubles with each quick death and resets after the
	// worker has run for RestartMax. Defaults 1 s and 1 min.
	RestartMin, RestartMax time.Duration
	// NoSignals leaves SIGINT and SIGTERM alone (the caller handles them
	// by cancelling the context).
	NoSignals bool
}

// Run runs the workers until ctx is cancelled or a SIGINT or SIGTERM
// arrives, then waits for them to stop (each waits for its tasks in flight
// up to its grace period). It returns an error when a worker cannot be
// built (bad Spec), and after the stop the *ShutdownError of each worker
// that had to fail tasks (joined; find them with errors.As).
func (m *Manager) Run(ctx context.Context) error {
	if len(m.Activities) == 0 {
		return errors.New("activity manager: no activities to run")
	}
	log := m.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !m.NoSignals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	workers := make([]*Worker, len(m.Activities))
	for i, s := range m.Activities {
		o := s.Options
		if o.Logger == nil {
			o.Logger = log
		}
		w, err := NewWorker(m.API, s.Activity, s.Handler, o)
		if err != nil {
			return fmt.Errorf("activity manager: %w", err)
		}
		workers[i] = w
	}
	log.InfoContext(ctx, "starting activity workers", "count", len(workers))
	var wg sync.WaitGroup
	errs := make([]error, len(workers))
	for i, w := range workers {
		wg.Go(func() { errs[i] = m.supervise(ctx, w, log) })
	}
	wg.Wait()
	log.Info("activity workers stopped")
	return errors.Join(errs...)
}

// supervise runs w until ctx is done, restarting it when it dies. It
// returns the *ShutdownError of w's last run, if any.
func (m *Manager) supervise(ctx context.Context, w *Worker, log *slog.Logger) error {
	lo, hi := m.RestartMin, m.RestartMax
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(time.Minute, lo)
	}
	b := backoff{min: lo, max: hi}
	for restarts := 0; ; restarts++ {
		start := time.Now()
		err := runGuarded(ctx, w)
		if ctx.Err() != nil {
			var se *ShutdownError
			if errors.As(err, &se) {
				return se
			}
			return nil
		}
		if time.Since(start) >= hi {
			b.reset() // it had been healthy for a while
		}
		d := b.next()
		log.ErrorContext(ctx, "activity worker died; restarting",
			"activity", w.activity, "worker", w.Name(), "error", err, "restarts", restarts+1, "restart_in", d)
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// runGuarded runs w, turning a panic in its loop into an error.
func runGuarded(ctx context.Context, w *Worker) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("worker loop panicked: %v\n%s", r, debug.Stack())
		}
	}()
	if err := w.Run(ctx); err != nil {
		return err
	}
	if ctx.Err() == nil {
		return errors.New("worker loop returned")
	}
	return nil
}
