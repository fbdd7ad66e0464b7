package hsc

import "errors"

func compile(src []byte, o *options) (*Result, error) {
	return nil, errors.New("hsc: compiler pipeline not wired yet")
}
