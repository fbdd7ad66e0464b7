package server

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/hsc-dev/hsc/store"
)

// maxVersions is how many versions a state machine may have (AWS: 1,000).
const maxVersions = 1000

type publishInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	RevisionID      *string `json:"revisionId"`
	Description     *string `json:"description"`
}

type versionOutput struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	CreationDate           *epoch `json:"creationDate"`
}

// publishStateMachineVersion publishes the current revision; publishing a
// revision that the latest version already holds returns that version
// (AWS: the operation is idempotent).
func (s *Server) publishStateMachineVersion(ctx context.Context, in *publishInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, false)
	if aerr != nil {
		return nil, aerr
	}
	var out versionOutput
	defer s.starts.invalidate()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		sm, err := getMachine(tx, ref.machine, in.StateMachineArn)
		if err != nil {
			return err
		}
		if in.RevisionID != nil && *in.RevisionID != sm.RevisionID {
			return apiErr("ConflictException", "Failed to publish the State Machine version because the provided revision id '%s' does not match the current revision id '%s'", *in.RevisionID, sm.RevisionID)
		}
		latest, _, err := tx.ListVersions(sm.ARN, store.Page{Limit: maxVersions + 1})
		if err != nil {
			return err
		}
		if len(latest) > 0 && latest[0].RevisionID == sm.RevisionID {
			if in.Description != nil && *in.Description != latest[0].Description {
				return apiErr("ConflictException", "Failed to publish the State Machine version: version %d already holds this revision with a different description", latest[0].Number)
			}
			out = versionOutput{latest[0].ARN, ep(latest[0].Created)}
			return nil
		}
		if len(latest) >= maxVersions {
			return apiErr("ServiceQuotaExceededException", "The state machine '%s' already has %d versions", sm.ARN, maxVersions)
		}
		v := publishVersion(sm, deref(in.Description), s.now())
		if err := tx.CreateVersion(v); err != nil {
			return err
		}
		out = versionOutput{v.ARN, ep(v.Created)}
		return tx.PutStateMachine(sm)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type machineListInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	MaxResults      int     `json:"maxResults"`
	NextToken       *string `json:"nextToken"`
}

func (s *Server) listStateMachineVersions(ctx context.Context, in *machineListInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, false)
	if aerr != nil {
		return nil, aerr
	}
	page, perr := pageFor("ListStateMachineVersions", ref.machine, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	out := struct {
		StateMachineVersions []versionOutput `json:"stateMachineVersions"`
		NextToken            *string         `json:"nextToken,omitempty"`
	}{StateMachineVersions: []versionOutput{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := getMachine(tx, ref.machine, in.StateMachineArn); err != nil {
			return err
		}
		vs, next, err := tx.ListVersions(ref.machine, page)
		for _, v := range vs {
			out.StateMachineVersions = append(out.StateMachineVersions, versionOutput{v.ARN, ep(v.Created)})
		}
		out.NextToken = tokenFor("ListStateMachineVersions", ref.machine, next)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type versionInput struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
}

func (s *Server) deleteStateMachineVersion(ctx context.Context, in *versionInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineVersionArn, true)
	if aerr != nil {
		return nil, aerr
	}
	if ref.version == 0 {
		return nil, errInvalidArn(in.StateMachineVersionArn)
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		as, err := allAliases(tx, ref.machine)
		if err != nil {
			return err
		}
		var users []string
		for _, a := range as {
			if slices.ContainsFunc(a.Routing, func(r store.Route) bool { return r.VersionARN == in.StateMachineVersionArn }) {
				users = append(users, a.ARN)
			}
		}
		if len(users) > 0 {
			return apiErr("ConflictException", "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", strings.Join(users, ", "))
		}
		if err := tx.DeleteVersion(in.StateMachineVersionArn); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.SetTags(in.StateMachineVersionArn, nil)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func allAliases(tx store.Tx, machine string) ([]*store.Alias, error) {
	var all []*store.Alias
	page := store.Page{Limit: 1000}
	for {
		as, next, err := tx.ListAliases(machine, page)
		if err != nil {
			return nil, err
		}
		all = append(all, as...)
		if next == "" {
			return all, nil
		}
		page.After = next
	}
}

type routeJSON struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	Weight                 int    `json:"weight"`
}

type aliasInput struct {
	StateMachineAliasArn string      `json:"stateMachineAliasArn"`
	Name                 string      `json:"name"`
	Description          *string     `json:"description"`
	RoutingConfiguration []routeJSON `json:"routingConfiguration"`
}

// checkRouting checks an alias's routing: one or two distinct versions of
// one state machine, that exist, with weights summing to 100. It returns
// the state machine's ARN.
func checkRouting(tx store.Tx, routes []routeJSON) (string, []store.Route, error) {
	machine := ""
	sum := 0
	var out []store.Route
	for _, r := range routes {
		ref, aerr := parseMachineARN(r.StateMachineVersionArn, true)
		if aerr != nil {
			return "", nil, aerr
		}
		if ref.version == 0 {
			return "", nil, errValidation("Routing configuration must contain state machine version ARNs: '%s'", r.StateMachineVersionArn)
		}
		if machine != "" && ref.machine != machine {
			return "", nil, errValidation("Routing configuration must contain versions of the same state machine")
		}
		machine = ref.machine
		if slices.ContainsFunc(out, func(x store.Route) bool { return x.VersionARN == r.StateMachineVersionArn }) {
			return "", nil, errValidation("Routing configuration must contain distinct state machine versions")
		}
		if _, err := tx.GetVersion(r.StateMachineVersionArn); errors.Is(err, store.ErrNotFound) {
			return "", nil, errResourceNotFound(r.StateMachineVersionArn)
		} else if err != nil {
			return "", nil, err
		}
		sum += r.Weight
		out = append(out, store.Route{VersionARN: r.StateMachineVersionArn, Weight: r.Weight})
	}
	if sum != 100 {
		return "", nil, errValidation("Sum of routing configuration weights must be equal to 100")
	}
	return machine, out, nil
}

func (s *Server) createStateMachineAlias(ctx context.Context, in *aliasInput) (any, error) {
	var out struct {
		StateMachineAliasArn string `json:"stateMachineAliasArn"`
		CreationDate         *epoch `json:"creationDate"`
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		machine, routes, err := checkRouting(tx, in.RoutingConfiguration)
		if err != nil {
			return err
		}
		if _, err := tx.GetStateMachine(machine); errors.Is(err, store.ErrNotFound) {
			return errResourceNotFound(machine)
		} else if err != nil {
			return err
		}
		a := &store.Alias{ARN: machine + ":" + in.Name, StateMachineARN: machine, Name: in.Name, Description: deref(in.Description),
			Routing: routes, Created: s.now()}
		a.Updated = a.Created
		old, err := tx.GetAlias(a.ARN)
		if err == nil {
			if old.Description != a.Description || !slices.Equal(old.Routing, a.Routing) {
				return apiErr("ConflictException", "Failed to create alias because an alias with the same name and a different routing configuration already exists.")
			}
			out.StateMachineAliasArn, out.CreationDate = old.ARN, ep(old.Created)
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		as, err := allAliases(tx, machine)
		if err != nil {
			return err
		}
		if len(as) >= 100 {
			return apiErr("ServiceQuotaExceededException", "The state machine '%s' already has 100 aliases", machine)
		}
		out.StateMachineAliasArn, out.CreationDate = a.ARN, ep(a.Created)
		return tx.CreateAlias(a)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// aliasRef checks an alias ARN.
func aliasRef(arn string) (machineRef, *APIError) {
	ref, aerr := parseMachineARN(arn, true)
	if aerr != nil {
		return ref, aerr
	}
	if ref.alias == "" {
		return ref, errInvalidArn(arn)
	}
	return ref, nil
}

func (s *Server) describeStateMachineAlias(ctx context.Context, in *aliasInput) (any, error) {
	if _, aerr := aliasRef(in.StateMachineAliasArn); aerr != nil {
		return nil, aerr
	}
	var out struct {
		StateMachineAliasArn string      `json:"stateMachineAliasArn"`
		Name                 string      `json:"name"`
		Description          string      `json:"description,omitempty"`
		RoutingConfiguration []routeJSON `json:"routingConfiguration"`
		CreationDate         *epoch      `json:"creationDate"`
		UpdateDate           *epoch      `json:"updateDate"`
	}
	err := s.store.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetAlias(in.StateMachineAliasArn)
		if errors.Is(err, store.ErrNotFound) {
			return errResourceNotFound(in.StateMachineAliasArn)
		} else if err != nil {
			return err
		}
		out.StateMachineAliasArn, out.Name, out.Description = a.ARN, a.Name, a.Description
		out.CreationDate, out.UpdateDate = ep(a.Created), ep(a.Updated)
		for _, r := range a.Routing {
			out.RoutingConfiguration = append(out.RoutingConfiguration, routeJSON{r.VersionARN, r.Weight})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) updateStateMachineAlias(ctx context.Context, in *aliasInput) (any, error) {
	ref, aerr := aliasRef(in.StateMachineAliasArn)
	if aerr != nil {
		return nil, aerr
	}
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, errValidation("Either the description or the RoutingConfiguration must be specified")
	}
	var out struct {
		UpdateDate *epoch `json:"updateDate"`
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAlias(in.StateMachineAliasArn)
		if errors.Is(err, store.ErrNotFound) {
			return errResourceNotFound(in.StateMachineAliasArn)
		} else if err != nil {
			return err
		}
		if in.RoutingConfiguration != nil {
			machine, routes, err := checkRouting(tx, in.RoutingConfiguration)
			if err != nil {
				return err
			}
			if machine != ref.machine {
				return errValidation("Routing configuration must contain versions of the alias's state machine")
			}
			a.Routing = routes
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		a.Updated = s.now()
		out.UpdateDate = ep(a.Updated)
		return tx.PutAlias(a)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) deleteStateMachineAlias(ctx context.Context, in *aliasInput) (any, error) {
	if _, aerr := aliasRef(in.StateMachineAliasArn); aerr != nil {
		return nil, aerr
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteAlias(in.StateMachineAliasArn); errors.Is(err, store.ErrNotFound) {
			return errResourceNotFound(in.StateMachineAliasArn)
		} else if err != nil {
			return err
		}
		return tx.SetTags(in.StateMachineAliasArn, nil)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) listStateMachineAliases(ctx context.Context, in *machineListInput) (any, error) {
	ref, aerr := parseMachineARN(in.StateMachineArn, true)
	if aerr != nil {
		return nil, aerr
	}
	if ref.alias != "" {
		return nil, errInvalidArn(in.StateMachineArn)
	}
	page, perr := pageFor("ListStateMachineAliases", in.StateMachineArn, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	type item struct {
		StateMachineAliasArn string `json:"stateMachineAliasArn"`
		CreationDate         *epoch `json:"creationDate"`
	}
	out := struct {
		StateMachineAliases []item  `json:"stateMachineAliases"`
		NextToken           *string `json:"nextToken,omitempty"`
	}{StateMachineAliases: []item{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := getMachine(tx, ref.machine, in.StateMachineArn); err != nil {
			return err
		}
		if ref.version > 0 {
			if _, err := tx.GetVersion(in.StateMachineArn); errors.Is(err, store.ErrNotFound) {
				return errResourceNotFound(in.StateMachineArn)
			}
		}
		as, next, err := tx.ListAliases(ref.machine, page)
		for _, a := range as {
			// A version ARN lists the aliases that route to that version.
			if ref.version > 0 && !slices.ContainsFunc(a.Routing, func(r store.Route) bool { return r.VersionARN == in.StateMachineArn }) {
				continue
			}
			out.StateMachineAliases = append(out.StateMachineAliases, item{a.ARN, ep(a.Created)})
		}
		out.NextToken = tokenFor("ListStateMachineAliases", in.StateMachineArn, next)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
