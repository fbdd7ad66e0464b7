package console_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"regexp"

	"github.com/hsc-dev/hsc/console"
	"github.com/hsc-dev/hsc/server"
)

// The console is mounted on a server's own port, as hsc serve does: the
// API keeps answering POST / with X-Amz-Target, and a browser gets pages.
func ExampleNew() {
	s, err := server.New(server.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	c, err := console.New(s, console.Options{})
	if err != nil {
		log.Fatal(err)
	}
	s.Mount(c)
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		log.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, regexp.MustCompile(`<title>(.*)</title>`).FindStringSubmatch(string(page))[1])
	// Output: 200 OK State machines · hsc console
}
