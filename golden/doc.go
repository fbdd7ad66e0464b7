// Package golden holds hsc's golden-file tests (testdata/*.hsd compiled and
// compared with testdata/*.sfn; testdata/errors/*.hsd with the expected
// diagnostic in *.err) and the parity tests that hold hsc to what heaviside
// 2.2.5 does with the programs in ../shared/parity. It has no code of its
// own besides tests and must not be imported.
package golden
