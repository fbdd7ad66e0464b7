package taskcmd

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonSpace is the white space JSON allows around a value.
const jsonSpace = " \t\r\n"

// outputBuffer keeps standard output up to MaxOutputBytes, without the
// white space before the value, and notes whether more came (white space
// after the limit does not count: `echo` adds a newline). It has only a
// Write-style method, so no io.Copy fast path can bypass the limit.
type outputBuffer struct {
	buf      []byte
	started  bool // a byte other than white space came
	overflow bool
	limit    int // 0: MaxOutputBytes
}

func (b *outputBuffer) write(p []byte) {
	if !b.started {
		p = bytes.TrimLeft(p, jsonSpace)
		if len(p) == 0 {
			return
		}
		b.started = true
	}
	limit := b.limit
	if limit == 0 {
		limit = MaxOutputBytes
	}
	room := limit - len(b.buf)
	if len(p) <= room {
		b.buf = append(b.buf, p...)
		return
	}
	b.buf = append(b.buf, p[:room]...)
	if len(bytes.TrimLeft(p[room:], jsonSpace)) > 0 {
		b.overflow = true
	}
}

// stderrBuffer keeps the first stderrHead bytes of standard error and the
// last stderrTail bytes after them, and counts the rest.
type stderrBuffer struct {
	head  []byte
	tailb []byte // a ring once full
	pos   int    // next write position in the full ring
	total int64
}

func (b *stderrBuffer) write(p []byte) {
	b.total += int64(len(p))
	if room := stderrHead - len(b.head); room > 0 {
		n := min(room, len(p))
		b.head = append(b.head, p[:n]...)
		p = p[n:]
	}
	if len(p) >= stderrTail {
		b.tailb = append(b.tailb[:0], p[len(p)-stderrTail:]...)
		b.pos = 0
		return
	}
	for len(p) > 0 {
		if len(b.tailb) < stderrTail {
			n := min(stderrTail-len(b.tailb), len(p))
			b.tailb = append(b.tailb, p[:n]...)
			p = p[n:]
			continue
		}
		n := copy(b.tailb[b.pos:], p)
		b.pos = (b.pos + n) % stderrTail
		p = p[n:]
	}
}

// tail returns the kept end, in order.
func (b *stderrBuffer) tail() []byte {
	if len(b.tailb) < stderrTail || b.pos == 0 {
		return b.tailb
	}
	t := make([]byte, 0, stderrTail)
	t = append(t, b.tailb[b.pos:]...)
	return append(t, b.tailb[:b.pos]...)
}

// complete returns all of standard error if nothing was left out.
func (b *stderrBuffer) complete() ([]byte, bool) {
	if b.total > int64(len(b.head)+len(b.tailb)) {
		return nil, false
	}
	return append(append([]byte(nil), b.head...), b.tail()...), true
}

// String returns standard error as text: all of it, or its start and end
// with a note of how many bytes were left out between them. The parts
// are cut at whole UTF-8 characters.
func (b *stderrBuffer) String() string {
	if all, ok := b.complete(); ok {
		return string(all)
	}
	head, tail := b.head, b.tail()
	head = trimPartialEnd(head)
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
	}
	left := b.total - int64(len(b.head)+len(b.tailb))
	return fmt.Sprintf("%s\n[... %d bytes of standard error left out ...]\n%s", head, left, tail)
}

// trimPartialEnd drops an incomplete UTF-8 sequence at the end of p.
func trimPartialEnd(p []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(p); i++ {
		c := p[len(p)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i]
			}
			return p
		}
	}
	return p
}

// Truncate cuts s to at most n characters, counted as Step Functions
// counts them (UTF-16 code units), never splitting a character.
func Truncate(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// TruncateMiddle cuts s to at most n characters (UTF-16 code units) by
// leaving out its middle, which it replaces with a short note; the start
// and the end of a message are what tell most.
func TruncateMiddle(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	const note = "\n[...]\n"
	keep := n - len(note)
	head := Truncate(s, keep/2)
	// The end: the last keep-keep/2 units.
	rest := keep - utf16Len(head)
	i := len(s)
	for units := 0; i > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		u := utf16.RuneLen(r)
		if units+u > rest {
			break
		}
		units += u
		i -= size
	}
	return head + note + s[i:]
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
