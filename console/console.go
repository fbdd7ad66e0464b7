package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// API runs a Step Functions operation on a JSON request body and returns
// the answer's JSON, as server.Server.Invoke does. An error answer's
// Error() is "Code: message".
type API interface {
	Invoke(ctx context.Context, op string, body []byte) ([]byte, error)
}

// Options configure a Console.
type Options struct {
	// AllowRemote answers clients that are not on loopback. Off by
	// default: the console can start executions and answer task tokens,
	// and has no authentication.
	AllowRemote bool
	// Hosts are more names the Host header may carry (beside localhost,
	// loopback addresses and the address a request came in on), for
	// AllowRemote behind a name.
	Hosts []string
	// PollInterval is how often an execution page asks for news while the
	// execution runs (0: one second).
	PollInterval time.Duration
	// Logger receives the console's log; nil discards it.
	Logger *slog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Console is the web console's HTTP handler.
type Console struct {
	api   API
	opts  Options
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	cop   *http.CrossOriginProtection
	key   [32]byte // signs CSRF tokens
}

// New returns the console for api.
func New(api API, opts Options) (*Console, error) {
	if api == nil {
		return nil, errors.New("console: no API")
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	c := &Console{api: api, opts: opts, log: opts.Logger, cop: http.NewCrossOriginProtection()}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if _, err := rand.Read(c.key[:]); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if err := c.parseTemplates(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", c.machinesPage)
	m.HandleFunc("POST /machines", c.createMachine)
	m.HandleFunc("GET /machine", c.machinePage)
	m.HandleFunc("POST /machine/start", c.startExecution)
	m.HandleFunc("GET /execution", c.executionPage)
	m.HandleFunc("GET /execution/live", c.executionLive)
	m.HandleFunc("GET /graph.svg", c.graphSVG)
	m.HandleFunc("POST /execution/stop", c.stopExecution)
	m.HandleFunc("POST /execution/redrive", c.redriveExecution)
	m.HandleFunc("GET /activities", c.activitiesPage)
	m.HandleFunc("POST /activities", c.createActivity)
	m.HandleFunc("POST /activity/take", c.takeTask)
	m.HandleFunc("GET /token", c.tokenPage)
	m.HandleFunc("POST /token", c.sendToken)
	c.mux = m
	return c, nil
}

func (c *Console) parseTemplates() error {
	funcs := template.FuncMap{
		"time":     fmtTime,
		"duration": fmtDuration,
		"short":    shortARN,
		"lower":    strings.ToLower,
	}
	c.pages = map[string]*template.Template{}
	for _, page := range []string{"machines", "machine", "execution", "activities", "token", "error"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return fmt.Errorf("console: templates: %w", err)
		}
		c.pages[page] = t
	}
	return nil
}

// ServeHTTP answers one console request after the safety checks.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if !c.opts.AllowRemote && !loopbackRemote(r) {
		c.refuse(w, r, http.StatusForbidden, "The console answers only on loopback.")
		return
	}
	if !c.hostAllowed(r) {
		c.refuse(w, r, http.StatusMisdirectedRequest, "Host "+r.Host+" is not this console's address.")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := c.sameOrigin(r); err != nil {
			c.refuse(w, r, http.StatusForbidden, "Cross-origin request refused: "+err.Error())
			return
		}
		if !c.validCSRF(r) {
			c.refuse(w, r, http.StatusForbidden, "The form's CSRF token is missing or stale: reload the page and try again.")
			return
		}
	}
	c.mux.ServeHTTP(w, r)
}

func (c *Console) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.log.Warn("console request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr, "reason", msg)
	http.Error(w, msg, status)
}

func loopbackRemote(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostAllowed checks the Host header against loopback names and the
// address the request came in on (DNS rebinding: a page on a name that
// resolves to 127.0.0.1 sends that name as Host).
func (c *Console) hostAllowed(r *http.Request) bool {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		lh, lp, err := net.SplitHostPort(local.String())
		if err == nil {
			if port != "" && port != lp {
				return false
			}
			if ip := net.ParseIP(lh); ip != nil && ip.Equal(net.ParseIP(strings.Trim(host, "[]"))) {
				return true
			}
		}
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range c.opts.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// sameOrigin refuses cross-origin browser requests: net/http's check
// (Sec-Fetch-Site, or Origin against Host), and an Origin header, when
// sent, must be exactly this console's origin.
func (c *Console) sameOrigin(r *http.Request) error {
	if err := c.cop.Check(r); err != nil {
		return err
	}
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		return fmt.Errorf("origin %s is not http://%s", o, r.Host)
	}
	return nil
}

// The CSRF token of a form is an HMAC of a random value kept in a
// SameSite=Strict, HttpOnly cookie: a page elsewhere can neither read the
// cookie nor compute the token.
func (c *Console) cookieName(r *http.Request) string {
	name := "hsc_console"
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(local.String()); err == nil {
			name += "_" + port
		}
	}
	return name
}

func (c *Console) sign(v string) string {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken returns the token for r's forms, setting the cookie when r
// has none.
func (c *Console) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(c.cookieName(r)); err == nil && len(ck.Value) == 43 {
		return c.sign(ck.Value)
	}
	var b [32]byte
	rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(r), Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return c.sign(v)
}

func (c *Console) validCSRF(r *http.Request) bool {
	ck, err := r.Cookie(c.cookieName(r))
	if err != nil {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
		got = r.PostFormValue("csrf")
	}
	return got != "" && hmac.Equal([]byte(got), []byte(c.sign(ck.Value)))
}

// maxForm bounds a form: a definition of 1 MiB escaped, and room.
const maxForm = 8 << 20
