package asl

import "slices"

// A model value is written back with its members in the order they were
// parsed; members set in code that were not in the input follow in the
// model's canonical order, then unknown (Extra) members. A field is
// written when it is set (non-zero) or was present in the parsed input.

// ToValue converts the machine to a Value tree.
func (m *StateMachine) ToValue() *Value {
	b := newBuilder(m.keys)
	b.str("Comment", m.Comment)
	b.str("StartAt", m.StartAt)
	if m.States != nil || b.had["States"] {
		states := NewObject()
		for _, s := range m.States {
			states.Members = append(states.Members, Member{Key: s.Name, Value: s.ToValue()})
		}
		b.add("States", states)
	}
	b.str("Version", m.Version)
	b.num("TimeoutSeconds", m.TimeoutSeconds)
	b.str("QueryLanguage", m.QueryLanguage)
	b.val("ProcessorConfig", m.ProcessorConfig)
	return b.finish(m.Extra)
}

// MarshalJSON writes the machine as compact JSON.
func (m *StateMachine) MarshalJSON() ([]byte, error) { return m.ToValue().Encode(0), nil }

// Encode writes the machine as JSON indented by indent spaces per level (0:
// compact), in the layout of Python's json.dumps.
func (m *StateMachine) Encode(indent int) []byte { return m.ToValue().Encode(indent) }

// ToValue converts the state to a Value tree (without its name).
func (s *State) ToValue() *Value {
	b := newBuilder(s.keys)
	b.str("Type", s.Type)
	b.str("Comment", s.Comment)
	b.str("QueryLanguage", s.QueryLanguage)
	b.str("Resource", s.Resource)
	b.val("Credentials", s.Credentials)
	b.nullable("InputPath", s.InputPath)
	b.val("Parameters", s.Parameters)
	b.val("Arguments", s.Arguments)
	b.val("Result", s.Result)
	b.val("ResultSelector", s.ResultSelector)
	b.nullable("ResultPath", s.ResultPath)
	b.nullable("OutputPath", s.OutputPath)
	b.val("Output", s.Output)
	b.val("Assign", s.Assign)
	b.num("TimeoutSeconds", s.TimeoutSeconds)
	b.str("TimeoutSecondsPath", s.TimeoutSecondsPath)
	b.num("HeartbeatSeconds", s.HeartbeatSeconds)
	b.str("HeartbeatSecondsPath", s.HeartbeatSecondsPath)
	b.num("Seconds", s.Seconds)
	b.str("SecondsPath", s.SecondsPath)
	b.str("Timestamp", s.Timestamp)
	b.str("TimestampPath", s.TimestampPath)
	b.str("Error", s.Error)
	b.str("ErrorPath", s.ErrorPath)
	b.str("Cause", s.Cause)
	b.str("CausePath", s.CausePath)
	if s.Choices != nil || b.had["Choices"] {
		arr := NewArray()
		for _, r := range s.Choices {
			arr.Elems = append(arr.Elems, r.ToValue())
		}
		b.add("Choices", arr)
	}
	b.str("Default", s.Default)
	if s.Branches != nil || b.had["Branches"] {
		arr := NewArray()
		for _, br := range s.Branches {
			arr.Elems = append(arr.Elems, br.ToValue())
		}
		b.add("Branches", arr)
	}
	b.str("ItemsPath", s.ItemsPath)
	b.val("Items", s.Items)
	b.val("ItemSelector", s.ItemSelector)
	b.val("ItemReader", s.ItemReader)
	b.val("ItemBatcher", s.ItemBatcher)
	b.val("ResultWriter", s.ResultWriter)
	b.num("MaxConcurrency", s.MaxConcurrency)
	b.str("MaxConcurrencyPath", s.MaxConcurrencyPath)
	b.num("ToleratedFailurePercentage", s.ToleratedFailurePercentage)
	b.str("ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath)
	b.num("ToleratedFailureCount", s.ToleratedFailureCount)
	b.str("ToleratedFailureCountPath", s.ToleratedFailureCountPath)
	b.str("Label", s.Label)
	if s.Iterator != nil {
		b.add("Iterator", s.Iterator.ToValue())
	}
	if s.ItemProcessor != nil {
		b.add("ItemProcessor", s.ItemProcessor.ToValue())
	}
	if s.Retry != nil || b.had["Retry"] {
		arr := NewArray()
		for _, r := range s.Retry {
			arr.Elems = append(arr.Elems, r.ToValue())
		}
		b.add("Retry", arr)
	}
	if s.Catch != nil || b.had["Catch"] {
		arr := NewArray()
		for _, c := range s.Catch {
			arr.Elems = append(arr.Elems, c.ToValue())
		}
		b.add("Catch", arr)
	}
	b.str("Next", s.Next)
	b.boolean("End", s.End)
	return b.finish(s.Extra)
}

// ToValue converts the retrier to a Value tree.
func (r *Retrier) ToValue() *Value {
	b := newBuilder(r.keys)
	b.strings("ErrorEquals", r.ErrorEquals)
	b.num("IntervalSeconds", r.IntervalSeconds)
	b.num("MaxAttempts", r.MaxAttempts)
	b.num("BackoffRate", r.BackoffRate)
	b.num("MaxDelaySeconds", r.MaxDelaySeconds)
	b.str("JitterStrategy", r.JitterStrategy)
	b.str("Comment", r.Comment)
	return b.finish(r.Extra)
}

// ToValue converts the catcher to a Value tree.
func (c *Catcher) ToValue() *Value {
	b := newBuilder(c.keys)
	b.strings("ErrorEquals", c.ErrorEquals)
	b.str("Next", c.Next)
	b.nullable("ResultPath", c.ResultPath)
	b.str("Comment", c.Comment)
	b.val("Assign", c.Assign)
	b.val("Output", c.Output)
	return b.finish(c.Extra)
}

// ToValue converts the rule to a Value tree.
func (r *ChoiceRule) ToValue() *Value {
	b := newBuilder(r.keys)
	rules := func(key string, rs []*ChoiceRule) {
		if rs == nil && !b.had[key] {
			return
		}
		arr := NewArray()
		for _, x := range rs {
			arr.Elems = append(arr.Elems, x.ToValue())
		}
		b.add(key, arr)
	}
	rules("And", r.And)
	rules("Or", r.Or)
	if r.Not != nil {
		b.add("Not", r.Not.ToValue())
	}
	b.str("Variable", r.Variable)
	if r.Operator != "" {
		b.add(r.Operator, r.Operand)
	}
	b.val("Condition", r.Condition)
	b.str("Comment", r.Comment)
	b.val("Assign", r.Assign)
	b.val("Output", r.Output)
	b.str("Next", r.Next)
	return b.finish(r.Extra)
}

type builder struct {
	order   []string
	had     map[string]bool
	members []Member
}

func newBuilder(keys []string) *builder {
	b := &builder{order: keys, had: make(map[string]bool, len(keys))}
	for _, k := range keys {
		b.had[k] = true
	}
	return b
}

func (b *builder) add(key string, v *Value) {
	if v == nil {
		v = NewNull()
	}
	b.members = append(b.members, Member{Key: key, Value: v})
}

func (b *builder) str(key, s string) {
	if s != "" || b.had[key] {
		b.add(key, NewString(s))
	}
}

func (b *builder) num(key string, n Number) {
	if n != "" {
		b.add(key, NewNumber(string(n)))
	}
}

func (b *builder) boolean(key string, v bool) {
	if v || b.had[key] {
		b.add(key, NewBool(v))
	}
}

func (b *builder) val(key string, v *Value) {
	if v != nil {
		b.add(key, v)
	}
}

func (b *builder) nullable(key string, ns NullableString) {
	switch {
	case ns.Null:
		b.add(key, NewNull())
	case ns.Set || ns.Value != "":
		b.add(key, NewString(ns.Value))
	}
}

func (b *builder) strings(key string, ss []string) {
	if ss == nil && !b.had[key] {
		return
	}
	arr := NewArray()
	for _, s := range ss {
		arr.Elems = append(arr.Elems, NewString(s))
	}
	b.add(key, arr)
}

// finish orders the members: parsed order first, then new fields, then
// unknown members not yet placed.
func (b *builder) finish(extra []Member) *Value {
	all := append(slices.Clip(b.members), extra...)
	out := make([]Member, 0, len(all))
	used := make([]bool, len(all))
	for _, k := range b.order {
		for i, m := range all {
			if !used[i] && m.Key == k {
				out = append(out, m)
				used[i] = true
				break
			}
		}
	}
	for i, m := range all {
		if !used[i] {
			out = append(out, m)
		}
	}
	return &Value{Kind: KindObject, Members: out}
}
