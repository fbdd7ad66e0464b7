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
// # Pages
//
//	GET  /                     state machines (type, creation date); POST /machines creates one
//	GET  /machine?arn=         graph, definition, versions and aliases, executions
//	                           (&status=, &page=), the start form (POST /machine/start)
//	GET  /execution?arn=       status, error and cause, graph with the path taken, states,
//	                           input and output, timeline, event history; Stop and Redrive
//	                           (POST /execution/stop, /execution/redrive)
//	GET  /execution/live?arn=  the live part of that page, polled while the execution runs
//	                           (204 when &status= and &events= are still current)
//	GET  /graph.svg            the graph alone (?machine= or ?execution=)
//	GET  /activities           activities, their waiting tasks, workers polling and seen,
//	                           recent tasks; POST /activities, POST /activity/take
//	GET  /token                the task token form and the callback tasks waiting;
//	                           POST /token sends success, failure or a heartbeat
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
