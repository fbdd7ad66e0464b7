// Package iso8601 decides which strings heaviside takes for timestamps: the
// ones Python's iso8601 package (parse_date) accepts. It knows nothing else.
package iso8601

import (
	"regexp"
	"strconv"
)

// The grammar of iso8601's ISO8601_REGEX, without its one look-ahead (a bare
// YYYYMM is rejected separately below).
var re = regexp.MustCompile(`^([0-9]{4})(((-([0-9]{1,2}))|([0-9]{2}))(((-([0-9]{1,2}))|([0-9]{2}))(([ T])([0-9]{2})(:?([0-9]{2}))?(:?([0-9]{1,2})([.,]([0-9]+))?)?(Z|(([-+])([0-9]{2}):?([0-9]{2})?))?)?)?)?\n?$`)

var yyyymm = regexp.MustCompile(`^[0-9]{6}\n?$`)

// Parses reports whether Python's iso8601.parse_date accepts s.
func Parses(s string) bool {
	if len(s) < 4 || len(s) > 64 || yyyymm.MatchString(s) {
		return false
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	num := func(i int, def int) int {
		if m[i] == "" {
			return def
		}
		n, _ := strconv.Atoi(m[i])
		return n
	}
	year := num(1, 0)
	month := num(6, num(5, 1))
	day := num(11, num(10, 1))
	hour := num(14, 0)
	minute := num(16, 0)
	second := num(18, 0)
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return false
	}
	if hour > 23 || minute > 59 || second > 59 {
		return false
	}
	if m[21] != "" && m[21] != "Z" {
		h, mm := num(24, 0), num(25, 0)
		if h*60+mm >= 24*60 {
			return false
		}
	}
	return true
}

func daysIn(year, month int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}
