package replay

import "strings"

type routeKind int

const (
	routeNone routeKind = iota
	routeList           // .../Accounts/{account}/Calls
	routeCall           // .../Accounts/{account}/Calls/{sid}
)

type route struct {
	kind routeKind
	sid  string
}

// apiPrefix is the Compatibility API path before the account; anything may
// precede it, so clients mounted under a base path are served too.
var apiPrefix = []string{"api", "laml", "2010-04-01", "Accounts"}

// parseRoute matches a path ending in
// /api/laml/2010-04-01/Accounts/{account}/Calls[/{sid}].
func parseRoute(path string) route {
	segs := strings.Split(path, "/")
	n := len(segs)
	switch {
	case n >= 7 && matchSuffix(segs[:n-1]) && segs[n-1] != "":
		return route{kind: routeCall, sid: segs[n-1]}
	case n >= 6 && matchSuffix(segs):
		return route{kind: routeList}
	}
	return route{kind: routeNone}
}

// matchSuffix reports whether segs ends in api/laml/2010-04-01/Accounts/{account}/Calls.
func matchSuffix(segs []string) bool {
	n := len(segs)
	if n < len(apiPrefix)+2 || segs[n-1] != "Calls" || segs[n-2] == "" {
		return false
	}
	head := segs[n-2-len(apiPrefix) : n-2]
	for i, p := range apiPrefix {
		if head[i] != p {
			return false
		}
	}
	return true
}
