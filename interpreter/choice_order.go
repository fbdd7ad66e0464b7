package interpreter

import "unicode/utf8"

// compareStrings orders strings as Step Functions does: Java's
// String.compareTo, which compares UTF-16 code units. That differs from
// Go's byte (code point) order for a character above U+FFFF, stored as a
// surrogate pair (0xD800–0xDFFF), against one in U+E000–U+FFFF: in UTF-16
// "😀" (U+1F600) sorts before "" (U+F8FF).
func compareStrings(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := firstUTF16Unit(ra), firstUTF16Unit(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
			// The same lead surrogate: the trail surrogates keep code
			// point order.
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// firstUTF16Unit is the first UTF-16 code unit of r.
func firstUTF16Unit(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

// matchPattern reports whether s matches a StringMatches pattern. The
// literal pieces between stars are found leftmost-first, which is exact for
// patterns whose only wildcard is '*', and the work is linear in len(s)
// times the pattern length: no backtracking, however many stars.
func matchPattern(parts []matchPart, s string) bool {
	var steps int
	return matchPatternSteps(parts, s, &steps)
}

// matchPatternSteps is matchPattern counting byte comparisons in *steps.
func matchPatternSteps(parts []matchPart, s string, steps *int) bool {
	// Leading literal: a prefix.
	if len(parts) > 0 && !parts[0].star {
		p := parts[0].lit
		if !hasPrefixCounted(s, p, steps) {
			return false
		}
		s, parts = s[len(p):], parts[1:]
	}
	if len(parts) == 0 {
		return s == ""
	}
	// Trailing literal after the last star: a suffix.
	last := parts[len(parts)-1]
	if !last.star {
		if len(s) < len(last.lit) || !hasPrefixCounted(s[len(s)-len(last.lit):], last.lit, steps) {
			return false
		}
		s, parts = s[:len(s)-len(last.lit)], parts[:len(parts)-1]
	}
	// Now parts starts and ends with a star: each literal in between is
	// taken at its leftmost place after the previous one.
	for _, p := range parts {
		if p.star {
			continue
		}
		i := indexCounted(s, p.lit, steps)
		if i < 0 {
			return false
		}
		s = s[i+len(p.lit):]
	}
	return true
}

func hasPrefixCounted(s, p string, steps *int) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		*steps++
		if s[i] != p[i] {
			return false
		}
	}
	return true
}

// indexCounted is strings.Index with its comparisons counted.
func indexCounted(s, p string, steps *int) int {
	for i := 0; i+len(p) <= len(s); i++ {
		if hasPrefixCounted(s[i:], p, steps) {
			return i
		}
	}
	return -1
}
