package server

import (
	"encoding/base64"
	"strings"

	"github.com/hsc-dev/hsc/store"
)

// defaultPageSize is the page size when maxResults is absent or 0 (AWS:
// 100).
const defaultPageSize = 100

// pageFor turns maxResults and a nextToken into a store page. A token is
// only valid for the operation and filter that made it: anything else is
// InvalidToken, as on AWS. Tokens are opaque to clients.
func pageFor(op, filter string, maxResults int, token *string) (store.Page, *APIError) {
	limit := maxResults
	if limit == 0 {
		limit = defaultPageSize
	}
	p := store.Page{Limit: limit}
	if token == nil {
		return p, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil {
		return p, errInvalidToken("Invalid token")
	}
	parts := strings.SplitN(string(raw), "\x00", 3)
	if len(parts) != 3 || parts[0] != op || parts[1] != filter || parts[2] == "" {
		return p, errInvalidToken("Invalid token")
	}
	p.After = parts[2]
	return p, nil
}

// tokenFor returns the nextToken for a store cursor, or nil at the end.
func tokenFor(op, filter, cursor string) *string {
	if cursor == "" {
		return nil
	}
	t := base64.RawURLEncoding.EncodeToString([]byte(op + "\x00" + filter + "\x00" + cursor))
	return &t
}
