package server

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"
)

// task is one piece of work waiting for an answer through SendTask…: an
// activity task (queued until a worker takes it) or a .waitForTaskToken
// callback.
type task struct {
	token       string
	activityARN string // "" for callbacks
	input       string
	beat        func() error // an error when a heartbeat deadline could not be stored
	// taken is called (once) when a worker takes the task, with its name;
	// false: its start could not be stored, and the worker must not have it.
	taken func(worker string) bool
	// answer receives the outcome once; it is buffered.
	answer chan taskAnswer
	// committed, when not nil, receives nil once the execution has stored
	// the task's outcome event, an error when it could not.
	committed <-chan error
}

type taskAnswer struct {
	output       string
	failed       bool
	error, cause string
}

// taskQueues holds the queued activity tasks, the pollers waiting for
// them, and every live task token.
type taskQueues struct {
	mu     sync.Mutex
	queues map[string]*activityQueue
	live   map[string]*task
	// ended remembers recently ended tokens (bounded), to answer
	// TaskTimedOut rather than TaskDoesNotExist for them.
	ended      map[string]struct{}
	endedOrder []string
	key        [32]byte // signs the tokens this server issues
	maxPollers int
}

type activityQueue struct {
	tasks   list.List // *task, oldest first
	pollers list.List // chan *task, oldest first
}

const endedTokens = 100000

// DefaultMaxPollers bounds the GetActivityTask requests waiting on one
// activity (AWS: 1,000; more get ActivityWorkerLimitExceeded).
const DefaultMaxPollers = 1000

func newTaskQueues(maxPollers int) *taskQueues {
	q := &taskQueues{queues: map[string]*activityQueue{}, live: map[string]*task{}, ended: map[string]struct{}{}, maxPollers: maxPollers}
	rand.Read(q.key[:])
	return q
}

const tokenPrefix = "hsc1."

// tokenIDBytes is the size of a token's random part.
const tokenIDBytes = 18

// newToken returns a fresh task token (of an activity task or a
// .waitForTaskToken task) for the execution: "hsc1." + a random id + "."
// + the execution ARN + "." + a signature of both with this server's key,
// each part base64url. The random id makes tokens unique across runs,
// restarts and machines and unguessable; the ARN lets a token be routed
// to its execution (TokenExecution); the signature lets the server
// recognize a token it issued after it is forgotten.
func (q *taskQueues) newToken(execution string) string {
	var id [tokenIDBytes]byte
	rand.Read(id[:])
	enc := base64.RawURLEncoding
	var b strings.Builder
	b.Grow(len(tokenPrefix) + 24 + 2 + enc.EncodedLen(len(execution)) + 1 + 22)
	b.WriteString(tokenPrefix)
	b.WriteString(enc.EncodeToString(id[:]))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString([]byte(execution)))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(q.sign(id[:], execution)))
	return b.String()
}

// sign is the signature of a token's id and execution.
func (q *taskQueues) sign(id []byte, execution string) []byte {
	mac := hmac.New(sha256.New, q.key[:])
	mac.Write(id)
	mac.Write([]byte(execution))
	return mac.Sum(nil)[:16]
}

// parseToken splits a token of this form into its parts; ok is false for
// any other text.
func parseToken(token string) (id []byte, execution string, sig []byte, ok bool) {
	rest, found := strings.CutPrefix(token, tokenPrefix)
	if !found {
		return nil, "", nil, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return nil, "", nil, false
	}
	enc := base64.RawURLEncoding
	id, err1 := enc.DecodeString(parts[0])
	ex, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(id) != tokenIDBytes || len(sig) != 16 {
		return nil, "", nil, false
	}
	return id, string(ex), sig, true
}

// TokenExecution returns the ARN of the execution a task token this
// server issued belongs to (activity or .waitForTaskToken), as the token
// says: a store or a front end can route an answer by it. It does not
// check the token's signature; ok is false for text of another form.
func TokenExecution(token string) (executionARN string, ok bool) {
	_, ex, _, ok := parseToken(token)
	return ex, ok
}

// resumeKey signs the tokens of resumable executions (resumableToken): they must
// be the same after a restart, so the key is fixed. It is no secret.
var resumeKey = sha256.Sum256([]byte("hsc serve task token"))

// resumableToken returns the token of a task of a resumable execution, in
// newToken's form, but with an id derived from the execution (its ARN and
// start, which another run of the same name does not share) and key (the
// task's place in it and its redrive), so that the execution resumed
// after a restart waits for the same token.
func resumableToken(execution string, start time.Time, key string) string {
	mac := hmac.New(sha256.New, resumeKey[:])
	mac.Write([]byte(execution))
	mac.Write([]byte{0})
	mac.Write([]byte(strconv.FormatInt(start.UnixMilli(), 10)))
	mac.Write([]byte{0})
	mac.Write([]byte(key))
	id := mac.Sum(nil)[:tokenIDBytes]
	enc := base64.RawURLEncoding
	return tokenPrefix + enc.EncodeToString(id) + "." + enc.EncodeToString([]byte(execution)) + "." + enc.EncodeToString(resumeSign(id, execution))
}

// activityToken is the token of the activity task id (TaskRequest.ID) of
// a resumable execution, started at start and redriven redrives times:
// the same when the execution is resumed, so that a worker that took the
// task before a restart can still answer it, and the key its heartbeat
// deadline is stored under (durableBeat).
func activityToken(execution string, start time.Time, id string, redrives int) string {
	return resumableToken(execution, start, id+"#"+strconv.Itoa(redrives))
}

// resumeSign is the signature of a resumable token.
func resumeSign(id []byte, execution string) []byte {
	sig := hmac.New(sha256.New, resumeKey[:])
	sig.Write(id)
	sig.Write([]byte(execution))
	return sig.Sum(nil)[:16]
}

// tokenStatus classifies a token that is not live: "ended" (issued here,
// finished), "unknown" (well formed, never issued) or "invalid".
func (q *taskQueues) tokenStatus(token string) string {
	q.mu.Lock()
	_, ended := q.ended[token]
	q.mu.Unlock()
	if ended {
		return "ended"
	}
	id, ex, sig, ok := parseToken(token)
	if !ok {
		return "invalid"
	}
	if hmac.Equal(q.sign(id, ex), sig) {
		return "ended"
	}
	return "unknown"
}

// register makes t's token live; it reports false if the token is taken.
func (q *taskQueues) register(t *task) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.live[t.token]; ok {
		return false
	}
	q.live[t.token] = t
	return true
}

// enqueue hands an activity task to a waiting poller or queues it.
func (q *taskQueues) enqueue(t *task) {
	q.mu.Lock()
	defer q.mu.Unlock()
	aq := q.queue(t.activityARN)
	if front := aq.pollers.Front(); front != nil {
		aq.pollers.Remove(front)
		front.Value.(chan *task) <- t // buffered: never blocks
		return
	}
	aq.tasks.PushBack(t)
}

func (q *taskQueues) queue(arn string) *activityQueue {
	aq, ok := q.queues[arn]
	if !ok {
		aq = &activityQueue{}
		q.queues[arn] = aq
	}
	return aq
}

// poll takes the oldest queued task of an activity, or registers a poller
// channel that enqueue will fill. cancel withdraws the poller and returns
// a task delivered meanwhile, if any.
func (q *taskQueues) poll(arn string) (t *task, wait <-chan *task, cancel func() *task, full bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	aq := q.queue(arn)
	for e := aq.tasks.Front(); e != nil; e = aq.tasks.Front() {
		aq.tasks.Remove(e)
		t := e.Value.(*task)
		if _, live := q.live[t.token]; live {
			return t, nil, nil, false
		}
	}
	if aq.pollers.Len() >= q.maxPollers {
		return nil, nil, nil, true
	}
	ch := make(chan *task, 1)
	el := aq.pollers.PushBack(ch)
	return nil, ch, func() *task {
		q.mu.Lock()
		defer q.mu.Unlock()
		for e := aq.pollers.Front(); e != nil; e = e.Next() {
			if e == el {
				aq.pollers.Remove(el)
				return nil
			}
		}
		select { // enqueue removed it: a task is in the channel
		case t := <-ch:
			return t
		default:
			return nil
		}
	}, false
}

// end makes a token dead: later answers get TaskTimedOut. A queued task
// whose token ended is skipped by poll.
func (q *taskQueues) end(token string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.endLocked(token)
}

func (q *taskQueues) endLocked(token string) {
	if _, ok := q.live[token]; !ok {
		return
	}
	delete(q.live, token)
	q.ended[token] = struct{}{}
	q.endedOrder = append(q.endedOrder, token)
	if len(q.endedOrder) > endedTokens {
		drop := len(q.endedOrder) - endedTokens
		for _, t := range q.endedOrder[:drop] {
			delete(q.ended, t)
		}
		q.endedOrder = append(q.endedOrder[:0:0], q.endedOrder[drop:]...)
	}
}

// isEnded reports whether a token ended recently.
func (q *taskQueues) isEnded(token string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.ended[token]
	return ok
}

// lookup returns the live task of a token.
func (q *taskQueues) lookup(token string) (*task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, ok := q.live[token]
	return t, ok
}

// answer delivers an outcome to a live task and ends its token; it reports
// false when the token is not live.
func (q *taskQueues) answer(token string, a taskAnswer) (*task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, ok := q.live[token]
	if !ok {
		return nil, false
	}
	t.answer <- a // buffered, and only ever sent once: the token ends now
	q.endLocked(token)
	return t, true
}
