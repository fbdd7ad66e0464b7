package main

// README.md's examples are run and checked (issue 10 item 15: "runnable
// against the local server ... keep them true when that server changes").
//
// A fenced block preceded by <!-- test: transcript
// [dir=repo] [needs=PROG] --> is a shell session: lines starting with "$ "
// are commands (a command with a here-document takes the lines up to its
// terminator), the lines after each command its expected output (standard
// output and standard error together; "..." in a line matches any text).
// The commands run in one bash, in a new folder (dir=repo: the repository
// root), with a freshly built hsc first on PATH; a transcript that needs
// the Step Functions API starts its own `hsc serve` in the background
// (background jobs still running at the end are killed).
//
// A fenced block preceded by <!-- test: file PATH --> must be the file's
// content.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/testenv"
)

type readmeBlock struct {
	line  int               // of the fence
	attrs map[string]string // from the comment
	kind  string            // "transcript" or "file"
	body  []string
}

// readmeBlocks returns the README's tested blocks.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []readmeBlock
	lines := strings.Split(string(data), "\n")
	marker := regexp.MustCompile(`^<!-- test: (transcript|file)(.*?) -->$`)
	for i := 0; i < len(lines); i++ {
		m := marker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := readmeBlock{line: i + 2, kind: m[1], attrs: map[string]string{}}
		for _, f := range strings.Fields(m[2]) {
			k, v, ok := strings.Cut(f, "=")
			if !ok && b.kind == "file" {
				k, v = "path", f
			}
			b.attrs[k] = v
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("README.md:%d: a test marker must be followed by a fenced block", i+1)
		}
		j := i + 2
		for ; j < len(lines) && lines[j] != "```"; j++ {
			b.body = append(b.body, lines[j])
		}
		blocks = append(blocks, b)
		i = j
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no tested blocks")
	}
	return blocks
}

func TestReadmeFiles(t *testing.T) {
	for _, b := range readmeBlocks(t) {
		if b.kind != "file" {
			continue
		}
		want, err := os.ReadFile(filepath.Join("../..", b.attrs["path"]))
		if err != nil {
			t.Errorf("README.md:%d: %v", b.line, err)
			continue
		}
		if got := strings.Join(b.body, "\n") + "\n"; got != string(want) {
			t.Errorf("README.md:%d: the block differs from %s; copy the file into the README", b.line, b.attrs["path"])
		}
	}
}

// transcriptStep is one command of a transcript and its expected output.
type transcriptStep struct {
	cmd  string
	want []string
}

func parseTranscript(body []string) []transcriptStep {
	var steps []transcriptStep
	heredoc := regexp.MustCompile(`<<-?\s*'?"?(\w+)'?"?`)
	for i := 0; i < len(body); i++ {
		line := body[i]
		if !strings.HasPrefix(line, "$ ") {
			if len(steps) > 0 {
				steps[len(steps)-1].want = append(steps[len(steps)-1].want, line)
			}
			continue
		}
		cmd := strings.TrimPrefix(line, "$ ")
		if m := heredoc.FindStringSubmatch(cmd); m != nil {
			for i++; i < len(body); i++ {
				cmd += "\n" + body[i]
				if body[i] == m[1] {
					break
				}
			}
		}
		steps = append(steps, transcriptStep{cmd: cmd})
	}
	return steps
}

// matchLine reports whether got matches want, where "..." in want matches
// any text.
func matchLine(want, got string) bool {
	parts := strings.Split(want, "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

func TestReadmeTranscripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's examples")
	}
	blocks := readmeBlocks(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "hsc"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.kind != "transcript" {
			continue
		}
		t.Run(fmt.Sprintf("README.md:%d", b.line), func(t *testing.T) {
			if prog := b.attrs["needs"]; prog != "" {
				if _, err := exec.LookPath(prog); err != nil {
					testenv.Skip(t, "the README example needs "+prog)
				}
			}
			steps := parseTranscript(b.body)
			var script strings.Builder
			script.WriteString("shopt -s expand_aliases\nexec 2>&1\n")
			for i, s := range steps {
				// The marker keeps $? for the command after it.
				fmt.Fprintf(&script, "__rc=$?; echo '@@step %d'; (exit $__rc)\n", i)
				script.WriteString(s.cmd + "\n")
			}
			fmt.Fprintf(&script, "echo '@@step %d'\n", len(steps))
			// Background jobs a failed transcript left (a worker) end with it.
			script.WriteString("for p in $(jobs -p); do kill $p; done; wait\ntrue\n")

			dir := t.TempDir()
			if b.attrs["dir"] == "repo" {
				dir = repo
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc")
			cmd.Stdin = strings.NewReader(script.String())
			cmd.Dir = dir
			// Each transcript is a fresh user: hsc serve's default data
			// directory (and its lock) is its own.
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"XDG_STATE_HOME="+t.TempDir())
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("bash: %v", err)
			}
			got := map[int][]string{}
			step := -1
			sc := bufio.NewScanner(&out)
			for sc.Scan() {
				var n int
				if _, err := fmt.Sscanf(sc.Text(), "@@step %d", &n); err == nil {
					step = n
					continue
				}
				got[step] = append(got[step], sc.Text())
			}
			for i, s := range steps {
				want := s.want
				ok := len(want) == len(got[i])
				for j := 0; ok && j < len(want); j++ {
					ok = matchLine(want[j], got[i][j])
				}
				if !ok {
					t.Errorf("$ %s\nwant:\n%s\ngot:\n%s", s.cmd, strings.Join(want, "\n"), strings.Join(got[i], "\n"))
				}
			}
		})
	}
}
