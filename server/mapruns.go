package server

import (
	"context"
)

// Map runs come from distributed Map states, which the interpreter does
// not run as child executions yet: no map run exists, and the map run
// operations answer accordingly.

type mapRunInput struct {
	MapRunArn    string  `json:"mapRunArn"`
	ExecutionArn string  `json:"executionArn"`
	MaxResults   int     `json:"maxResults"`
	NextToken    *string `json:"nextToken"`
}

func checkMapRunARN(arn string) *APIError {
	a, err := parseARN(arn)
	if err != nil {
		return err
	}
	if a.kind != "mapRun" {
		return errArnType(a.kind)
	}
	if len(a.parts) != 2 {
		return errInvalidArn(arn)
	}
	return nil
}

func (s *Server) describeMapRun(_ context.Context, in *mapRunInput) (any, error) {
	if err := checkMapRunARN(in.MapRunArn); err != nil {
		return nil, err
	}
	return nil, errResourceNotFound(in.MapRunArn)
}

func (s *Server) updateMapRun(_ context.Context, in *mapRunInput) (any, error) {
	if err := checkMapRunARN(in.MapRunArn); err != nil {
		return nil, err
	}
	return nil, errResourceNotFound(in.MapRunArn)
}

func (s *Server) listMapRuns(ctx context.Context, in *mapRunInput) (any, error) {
	if _, err := s.getExecution(ctx, in.ExecutionArn); err != nil {
		return nil, err
	}
	if _, perr := pageFor("ListMapRuns", in.ExecutionArn, in.MaxResults, in.NextToken); perr != nil {
		return nil, perr
	}
	return &struct {
		MapRuns []struct{} `json:"mapRuns"`
	}{MapRuns: []struct{}{}}, nil
}
