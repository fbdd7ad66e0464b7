package main

import "errors"

var errNotYet = errors.New("compile: not wired yet")
