package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
)

// TestInvokeIsTheAPI checks that Invoke answers as the API does: the same
// records (what Invoke creates the SDK client sees), the same validation
// errors, and an *APIError for error answers.
func TestInvokeIsTheAPI(t *testing.T) {
	s, err := server.New(server.Config{Addr: "127.0.0.1:0", VirtualTime: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := client(s.URL())
	body := `{"name":"viaInvoke","definition":` + strings.TrimSpace(jsonString(passDef)) + `,"roleArn":"` + roleARN + `"}`
	out, err := s.Invoke(ctxT(t), "CreateStateMachine", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ StateMachineArn string }
	if err := json.Unmarshal(out, &created); err != nil || !strings.HasSuffix(created.StateMachineArn, ":stateMachine:viaInvoke") {
		t.Fatalf("CreateStateMachine answered %s (%v)", out, err)
	}
	list, err := c.ListStateMachines(ctxT(t), nil)
	if err != nil || len(list.StateMachines) != 1 || *list.StateMachines[0].StateMachineArn != created.StateMachineArn {
		t.Fatalf("the API does not see what Invoke created: %+v %v", list, err)
	}
	for _, tc := range []struct{ op, body, code string }{
		{"CreateStateMachine", `{"name":"x"}`, "ValidationException"},
		{"DescribeStateMachine", `{"stateMachineArn":"nope"}`, "InvalidArn"},
		{"NoSuchOperation", `{}`, "UnknownOperationException"},
		{"StartExecution", `[1]`, "SerializationException"},
	} {
		_, err := s.Invoke(ctxT(t), tc.op, []byte(tc.body))
		var ae *server.APIError
		if !errors.As(err, &ae) || ae.Code != tc.code {
			t.Errorf("Invoke(%s, %s) = %v, want %s", tc.op, tc.body, err, tc.code)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestMountServesPagesBesideTheAPI checks that a mounted handler gets the
// requests that are not API requests while the API keeps POST / and
// X-Amz-Target.
func TestMountServesPagesBesideTheAPI(t *testing.T) {
	s, err := server.New(server.Config{Addr: "127.0.0.1:0", VirtualTime: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Mount(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "page "+r.Method+" "+r.URL.Path)
	}))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := client(s.URL()).ListStateMachines(ctxT(t), nil); err != nil {
		t.Fatalf("the API stopped answering: %v", err)
	}
	for _, tc := range []struct {
		method, path, target, want string
	}{
		{"GET", "/", "", "page GET /"},
		{"POST", "/start", "", "page POST /start"},
		{"POST", "/", "", `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Missing X-Amz-Target header."}`},
		{"GET", "/", "AWSStepFunctions.ListActivities", `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Only POST requests are served."}`},
	} {
		req, _ := http.NewRequest(tc.method, s.URL()+tc.path, nil)
		if tc.target != "" {
			req.Header.Set("X-Amz-Target", tc.target)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != tc.want {
			t.Errorf("%s %s (target %q) = %s, want %s", tc.method, tc.path, tc.target, b, tc.want)
		}
	}
}

// TestPollers counts the GetActivityTask requests waiting on an activity.
func TestPollers(t *testing.T) {
	s, c := start(t, server.Config{VirtualTime: true})
	act := createActivity(t, c, "polled")
	if n := s.Pollers()[*act.ActivityArn]; n != 0 {
		t.Fatalf("%d pollers before any poll", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	for range 2 {
		go func() {
			c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
			done <- struct{}{}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Pollers()[*act.ActivityArn] != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("pollers: %v, want 2 on %s", s.Pollers(), *act.ActivityArn)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	<-done
	for deadline := time.Now().Add(10 * time.Second); s.Pollers()[*act.ActivityArn] != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pollers after the polls ended: %v", s.Pollers())
		}
	}
}
