package server

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/hsc-dev/hsc/store"
)

// maxTags is the most tags a resource may have (AWS: 50).
const maxTags = 50

type tagJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func validTagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// checkTags checks tags for a resource (resource is "" on create) and
// returns them as records. Keys must be unique in the request.
func checkTags(tags []tagJSON, resource string) ([]store.Tag, *APIError) {
	if len(tags) > maxTags {
		return nil, tooManyTags(resource)
	}
	out := make([]store.Tag, 0, len(tags))
	for _, t := range tags {
		if !validTagText(t.Key) || !validTagText(t.Value) {
			return nil, errValidation("Tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errValidation("Tag keys may not start with 'aws:', which is reserved for AWS use")
		}
		out = mergeTag(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

func tooManyTags(resource string) *APIError {
	return apiErr("TooManyTags", "Too many tags: a resource can have at most %d tags: '%s'", maxTags, resource)
}

func mergeTag(tags []store.Tag, t store.Tag) []store.Tag {
	for i := range tags {
		if tags[i].Key == t.Key {
			tags[i].Value = t.Value
			return tags
		}
	}
	return append(tags, t)
}

// taggable checks that arn names an existing state machine (or one of its
// versions or aliases) or activity.
func (s *Server) taggable(tx store.Tx, arn string) error {
	a, aerr := parseARN(arn)
	if aerr != nil {
		return aerr
	}
	var err error
	switch a.kind {
	case "stateMachine":
		ref, rerr := parseMachineARN(arn, true)
		if rerr != nil {
			return rerr
		}
		switch {
		case ref.version > 0:
			_, err = tx.GetVersion(arn)
		case ref.alias != "":
			_, err = tx.GetAlias(arn)
		default:
			_, err = tx.GetStateMachine(arn)
		}
	case "activity":
		_, err = tx.GetActivity(arn)
	default:
		return errArnType(a.kind)
	}
	if errors.Is(err, store.ErrNotFound) {
		return errResourceNotFound(arn)
	}
	return err
}

type tagResourceInput struct {
	ResourceArn string    `json:"resourceArn"`
	Tags        []tagJSON `json:"tags"`
}

func (s *Server) tagResource(ctx context.Context, in *tagResourceInput) (any, error) {
	add, terr := checkTags(in.Tags, in.ResourceArn)
	if terr != nil {
		return nil, terr
	}
	return s.editTags(ctx, in.ResourceArn, func(tags []store.Tag) ([]store.Tag, error) {
		for _, t := range add {
			tags = mergeTag(tags, t)
		}
		if len(tags) > maxTags {
			return nil, tooManyTags(in.ResourceArn)
		}
		return tags, nil
	})
}

type untagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (s *Server) untagResource(ctx context.Context, in *untagResourceInput) (any, error) {
	return s.editTags(ctx, in.ResourceArn, func(tags []store.Tag) ([]store.Tag, error) {
		kept := tags[:0]
		for _, t := range tags {
			if !slices.Contains(in.TagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		return kept, nil
	})
}

// editTags replaces the tags of a taggable resource with what edit makes of
// them, in one transaction; TagResource and UntagResource share it.
func (s *Server) editTags(ctx context.Context, arn string, edit func([]store.Tag) ([]store.Tag, error)) (any, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := s.taggable(tx, arn); err != nil {
			return err
		}
		tags, err := tx.Tags(arn)
		if err != nil {
			return err
		}
		if tags, err = edit(tags); err != nil {
			return err
		}
		return tx.SetTags(arn, tags)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type resourceInput struct {
	ResourceArn string `json:"resourceArn"`
}

func (s *Server) listTagsForResource(ctx context.Context, in *resourceInput) (any, error) {
	out := struct {
		Tags []tagJSON `json:"tags"`
	}{Tags: []tagJSON{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		if err := s.taggable(tx, in.ResourceArn); err != nil {
			return err
		}
		tags, err := tx.Tags(in.ResourceArn)
		for _, t := range tags {
			out.Tags = append(out.Tags, tagJSON{t.Key, t.Value})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := random16()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}
