package interpreter

import (
	"context"
	"errors"
)

// Resolvers tries each resolver in turn, moving to the next when one returns
// an *UnresolvedTaskError.
type Resolvers []TaskResolver

// ResolveTask implements TaskResolver.
func (rs Resolvers) ResolveTask(ctx context.Context, req *TaskRequest) ([]byte, error) {
	for _, r := range rs {
		out, err := r.ResolveTask(ctx, req)
		var ue *UnresolvedTaskError
		if errors.As(err, &ue) {
			continue
		}
		return out, err
	}
	return nil, &UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
}
