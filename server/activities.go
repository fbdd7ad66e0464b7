package server

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"time"

	"github.com/hsc-dev/hsc/store"
)

type createActivityInput struct {
	Name                    string          `json:"name"`
	Tags                    []tagJSON       `json:"tags"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
}

func (s *Server) createActivity(ctx context.Context, in *createActivityInput) (any, error) {
	if !validName(in.Name) {
		return nil, errInvalidName(in.Name)
	}
	tags, terr := checkTags(in.Tags, "")
	if terr != nil {
		return nil, terr
	}
	a := &store.Activity{ARN: s.activityARN(in.Name), Name: in.Name, Encryption: configDoc(in.EncryptionConfiguration), Created: s.now()}
	out := struct {
		ActivityArn  string `json:"activityArn"`
		CreationDate *epoch `json:"creationDate"`
	}{}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		old, err := tx.GetActivity(a.ARN)
		if err == nil {
			// Idempotent by name (AWS); a different encryption is a conflict.
			if old.Encryption != a.Encryption {
				return apiErr("ActivityAlreadyExists", "Activity already exists: '%s'", a.ARN)
			}
			out.ActivityArn, out.CreationDate = old.ARN, ep(old.Created)
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.CreateActivity(a); err != nil {
			return err
		}
		out.ActivityArn, out.CreationDate = a.ARN, ep(a.Created)
		if len(tags) > 0 {
			return tx.SetTags(a.ARN, tags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type activityInput struct {
	ActivityArn string `json:"activityArn"`
	WorkerName  string `json:"workerName"`
}

func (s *Server) describeActivity(ctx context.Context, in *activityInput) (any, error) {
	if err := parseActivityARN(in.ActivityArn); err != nil {
		return nil, err
	}
	var out struct {
		ActivityArn             string          `json:"activityArn"`
		Name                    string          `json:"name"`
		CreationDate            *epoch          `json:"creationDate"`
		EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetActivity(in.ActivityArn)
		if errors.Is(err, store.ErrNotFound) {
			return errActivityNotFound(in.ActivityArn)
		} else if err != nil {
			return err
		}
		out.ActivityArn, out.Name, out.CreationDate = a.ARN, a.Name, ep(a.Created)
		out.EncryptionConfiguration = orDefault(a.Encryption, defaultEncryption)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) deleteActivity(ctx context.Context, in *activityInput) (any, error) {
	if err := parseActivityARN(in.ActivityArn); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteActivity(in.ActivityArn); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.SetTags(in.ActivityArn, nil)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) listActivities(ctx context.Context, in *listInput) (any, error) {
	page, perr := pageFor("ListActivities", "", in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	type item struct {
		ActivityArn  string `json:"activityArn"`
		Name         string `json:"name"`
		CreationDate *epoch `json:"creationDate"`
	}
	out := struct {
		Activities []item  `json:"activities"`
		NextToken  *string `json:"nextToken,omitempty"`
	}{Activities: []item{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		l, next, err := tx.ListActivities(page)
		for _, a := range l {
			out.Activities = append(out.Activities, item{a.ARN, a.Name, ep(a.Created)})
		}
		out.NextToken = tokenFor("ListActivities", "", next)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// getActivityTask holds the request until a task of the activity is queued
// or the poll timeout (60 s) passes; it blocks nothing else.
func (s *Server) getActivityTask(ctx context.Context, in *activityInput) (any, error) {
	if err := parseActivityARN(in.ActivityArn); err != nil {
		return nil, err
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetActivity(in.ActivityArn)
		if errors.Is(err, store.ErrNotFound) {
			return errActivityNotFound(in.ActivityArn)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	type output struct {
		TaskToken string `json:"taskToken,omitempty"`
		Input     string `json:"input,omitempty"`
	}
	t, wait, cancel, full := s.tasks.poll(in.ActivityArn)
	if full {
		return nil, apiErr("ActivityWorkerLimitExceeded", "The maximum number of workers concurrently polling for activity tasks has been reached.")
	}
	if t == nil {
		timer := time.NewTimer(s.cfg.PollTimeout)
		defer timer.Stop()
		select {
		case t = <-wait:
		case <-timer.C:
			t = cancel()
		case <-ctx.Done():
			t = cancel()
			if t != nil { // the client is gone: put the task back
				s.tasks.enqueue(t)
			}
			return &output{}, nil
		}
	}
	if t == nil {
		return &output{}, nil
	}
	if !t.taken(in.WorkerName) {
		return nil, errNotStarted
	}
	return &output{TaskToken: t.token, Input: t.input}, nil
}

type sendTaskInput struct {
	TaskToken string  `json:"taskToken"`
	Output    string  `json:"output"`
	Error     *string `json:"error"`
	Cause     *string `json:"cause"`
}

// deadToken is the answer for a token that is not live.
func (s *Server) deadToken(token string) *APIError {
	switch s.tasks.tokenStatus(token) {
	case "ended":
		if _, ex, _, ok := parseToken(token); ok && s.stalled.has(ex) {
			// Its execution stopped on a store failure and is resumed
			// once the store takes writes: the answer is then taken.
			return errStalled
		}
		return apiErr("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
	case "unknown":
		if s.issuedBefore(token) {
			return apiErr("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
		}
		return apiErr("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'")
	}
	return errInvalidToken("Invalid token")
}

func (s *Server) sendTaskSuccess(ctx context.Context, in *sendTaskInput) (any, error) {
	if !json.Valid([]byte(in.Output)) {
		return nil, apiErr("InvalidOutput", "Invalid Output: '%s'", "the output is not valid JSON")
	}
	if err := s.deliver(ctx, in.TaskToken, taskAnswer{output: in.Output}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskFailure(ctx context.Context, in *sendTaskInput) (any, error) {
	if err := s.deliver(ctx, in.TaskToken, taskAnswer{failed: true, error: deref(in.Error), cause: deref(in.Cause)}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskHeartbeat(ctx context.Context, in *sendTaskInput) (any, error) {
	t, ok := s.liveTask(ctx, in.TaskToken)
	if !ok {
		return nil, s.deadToken(in.TaskToken)
	}
	if err := t.beat(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// issuedBefore reports whether token is a resumable task token of an
// execution in the durable store: issued by an earlier run of the server
// on the same data, for a task that has ended since (timed out and
// dispatched again, say), which AWS answers with TaskTimedOut.
func (s *Server) issuedBefore(token string) bool {
	id, ex, sig, ok := parseToken(token)
	return ok && hmac.Equal(resumeSign(id, ex), sig) && s.storedExecution(ex)
}
