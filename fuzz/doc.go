// Package fuzz holds hsc's native Go fuzz targets (go test -fuzz) for the
// lexer, the parser and the whole compiler, seeded from golden/testdata and
// ../shared/parity, with the regression inputs found so far under
// testdata/fuzz. It owns only the properties it checks; it must not be
// imported.
package fuzz
