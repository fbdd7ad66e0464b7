package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/server"
)

const passDef = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// session opens the console's first page like a browser and returns a
// client holding the console's cookie and the token of its forms.
func session(t *testing.T, base string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET / = %d, no CSRF field:\n%s", resp.StatusCode, body)
	}
	return cl, string(m[1])
}

// TestCrossOriginRequestsAreRefused drives a real server with the console
// mounted: a state-changing request from another origin, without the
// form's token, or under a DNS-rebinding Host is refused and starts
// nothing; the same request from the console's own page starts the
// execution.
func TestCrossOriginRequestsAreRefused(t *testing.T) {
	s := startConsole(t, server.Config{VirtualTime: true}, console.Options{})
	base := s.URL()
	u, _ := url.Parse(base)
	machine := createMachine(t, s, "guarded", passDef)
	cl, token := session(t, base)

	post := func(header map[string]string, form url.Values) (int, string) {
		req, _ := http.NewRequest("POST", base+"/machine/start", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	good := url.Values{"arn": {machine}, "input": {"{}"}, "csrf": {token}}
	noToken := url.Values{"arn": {machine}, "input": {"{}"}}
	badToken := url.Values{"arn": {machine}, "input": {"{}"}, "csrf": {token[:len(token)-2] + "xx"}}
	same := map[string]string{"Origin": base, "Sec-Fetch-Site": "same-origin"}
	for _, tc := range []struct {
		name   string
		header map[string]string
		form   url.Values
		status int
		says   string
	}{
		{"another origin", map[string]string{"Origin": "http://evil.example"}, good, 403, "Cross-origin request refused"},
		{"another port of localhost", map[string]string{"Origin": "http://127.0.0.1:1"}, good, 403, "Cross-origin request refused"},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, good, 403, "Cross-origin request refused"},
		{"same-site fetch", map[string]string{"Sec-Fetch-Site": "same-site"}, good, 403, "Cross-origin request refused"},
		{"null origin", map[string]string{"Origin": "null"}, good, 403, "Cross-origin request refused"},
		{"no token", same, noToken, 403, "CSRF token"},
		{"wrong token", same, badToken, 403, "CSRF token"},
		{"DNS rebinding", map[string]string{"Host": "rebind.attacker.example:" + u.Port(), "Origin": "http://rebind.attacker.example:" + u.Port()}, good, 421, "is not this console's address"},
		{"another port in Host", map[string]string{"Host": "127.0.0.1:1"}, good, 421, "is not this console's address"},
	} {
		status, body := post(tc.header, tc.form)
		if status != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.name, status, body, tc.status, tc.says)
		}
	}
	if n := listExecutions(t, s, machine); n != 0 {
		t.Fatalf("%d executions started by refused requests", n)
	}
	// A page fetched under a rebinding name is refused too.
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Host = "rebind.attacker.example:" + u.Port()
	if resp, err := cl.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("GET / under a rebinding Host: %v %v", resp, err)
	}
	// The console's own form, same origin, with its token: started.
	status, body := post(same, good)
	if status != http.StatusSeeOther {
		t.Fatalf("same-origin start: %d %s", status, body)
	}
	if n := listExecutions(t, s, machine); n != 1 {
		t.Fatalf("%d executions after the console's own request, want 1", n)
	}
	// localhost is a name of this console as well.
	req, _ = http.NewRequest("GET", base+"/", nil)
	req.Host = "localhost:" + u.Port()
	if resp, err := cl.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET / as localhost: %v %v", resp, err)
	}
}

// TestLoopbackOnlyByDefault checks that a client beyond loopback is
// refused unless Options.AllowRemote.
func TestLoopbackOnlyByDefault(t *testing.T) {
	s, err := server.New(server.Config{VirtualTime: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, tc := range []struct {
		allow  bool
		remote string
		want   int
	}{
		{false, "192.0.2.7:40000", 403},
		{false, "127.0.0.1:40000", 200},
		{false, "[::1]:40000", 200},
		{true, "192.0.2.7:40000", 200},
	} {
		c, err := console.New(s, console.Options{AllowRemote: tc.allow})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequestWithContext(context.Background(), "GET", "http://127.0.0.1:8083/", nil)
		req.RemoteAddr = tc.remote
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("AllowRemote %v, client %s: %d, want %d (%s)", tc.allow, tc.remote, rec.Code, tc.want, rec.Body)
		}
	}
}
