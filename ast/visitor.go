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

// BranchVisitor is heaviside's second visitor form (an object with
// visit(branch)): it is called once, after linking and after the Task
// visitors, with the states of the main branch, in output order. It walks
// Parallel branches (State.Branches) and Map iterators (State.IterStates)
// itself, and may change any state in place: names, transitions, modifiers,
// parameters, comments. The compiler checks names and transitions again
// after it returns.
type BranchVisitor interface {
	VisitBranch(states []*State)
}

// BranchVisitorFunc adapts a function to BranchVisitor.
type BranchVisitorFunc func(states []*State)

// VisitBranch calls f(states).
func (f BranchVisitorFunc) VisitBranch(states []*State) { f(states) }
