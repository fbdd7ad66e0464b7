package ast

// Visitor sees every Task state of a linked state machine, in every branch
// (Parallel branches and Map iterators included), in source order. It may
// change the task's Resource ARN, as heaviside's StateVisitor.handle_task may.
type Visitor interface {
	VisitTask(t *Task)
}

// VisitorFunc adapts a function to Visitor.
type VisitorFunc func(t *Task)

// VisitTask calls f(t).
func (f VisitorFunc) VisitTask(t *Task) { f(t) }
