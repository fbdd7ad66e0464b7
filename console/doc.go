// Package console is hsc serve's web console: server-rendered HTML pages
// (html/template) with a little embedded JavaScript and CSS, served on the
// API's own port (server.Server.Mount), for looking at and driving a local
// Step Functions service: state machines and their graphs, executions
// with their path, history and timeline, activities and their tasks, and
// sending task tokens by hand.
//
// It owns the pages, their routes and the console's safety rules; it has
// no implementation of the service's operations: every read and every
// change goes through an API (server.Server.Invoke), which runs the same
// validation and handlers as the AWS JSON API. It draws graphs with
// package graph. It must not know how the server stores records or runs
// executions, nor anything of the command line.
//
// # Safety
//
// The console can start, stop and redrive executions and answer task
// tokens, and hsc serve may run --task commands, so a web page the
// developer visits must not be able to drive it:
//
//   - only loopback clients are answered unless Options.AllowRemote;
//   - the Host header must name loopback (localhost, 127.0.0.1, [::1]) or
//     the address the request came in on, with its port, so a DNS
//     rebinding name is refused;
//   - every request that changes something is a POST that must come from
//     the console's own origin (Origin and Sec-Fetch-Site, through
//     net/http's CrossOriginProtection and an exact Origin match) and
//     carry the CSRF token of its form, bound to a SameSite=Strict cookie;
//   - pages are sent with a Content-Security-Policy that allows only the
//     console's own scripts and styles, and may not be framed.
package console
