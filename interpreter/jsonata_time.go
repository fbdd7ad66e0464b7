package interpreter

import (
	"errors"

	jsonata "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jlib"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// jsonataClock gives $now() and $millis() the execution's clock, so that
// under a virtual clock they agree with the timestamps of the context
// object and the history (the engine reads the wall clock). As in
// JSONata, the time is read once per evaluation.
func jsonataClock(sc *scope) map[string]jsonata.Extension {
	ms := sc.x.cfg.clock.Now().UnixMilli()
	return map[string]jsonata.Extension{
		"now": {Func: func(picture, tz jtypes.OptionalString) (string, error) {
			return jlib.FromMillis(ms, picture, tz)
		}},
		"millis": {Func: func() int64 { return ms }},
	}
}

// jsonataAssert is JSONata 2's $assert, which the engine (1.8) lacks.
func jsonataAssert() map[string]jsonata.Extension {
	return map[string]jsonata.Extension{
		"assert": {Func: func(cond bool, msg jtypes.OptionalString) (any, error) {
			if cond {
				return nil, jtypes.ErrUndefined
			}
			m := msg.String
			if !msg.IsSet() {
				m = "$assert() statement failed"
			}
			return nil, errors.New("D3141: " + m)
		}},
	}
}
