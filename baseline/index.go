package baseline

import (
	"slices"
	"strings"

	"github.com/smoke-dev/smoke/generator"
)

// index narrows the entries a finding is matched against to those that
// may name its operation: an entry that names one operation exactly
// ("GET /stats", "/stats", getStats, or a check ID alone) is filed under
// it; an entry with a glob is tried for every finding. The entry's own
// matcher still decides: the index only spares the entries that cannot
// match (a baseline of hundreds of entries judged against thousands of
// findings).
type index struct {
	exact map[string][]int
	globs []int
}

// newIndex files n entries; of(i) gives entry i's operation selector and
// check ID.
func newIndex(n int, of func(i int) (generator.Selector, string)) index {
	ix := index{exact: map[string][]int{}}
	for i := range n {
		sel, check := of(i)
		if k, ok := selectorKey(sel, check); ok {
			ix.exact[k] = append(ix.exact[k], i)
		} else {
			ix.globs = append(ix.globs, i)
		}
	}
	return ix
}

// selectorKey is the key an entry is filed under, false when it may name
// more than one operation.
func selectorKey(sel generator.Selector, check string) (string, bool) {
	s := strings.TrimSpace(string(sel))
	if s == "" || s == "*" {
		if check != "" {
			return "check\x00" + check, true
		}
		return "", false
	}
	if method, p, ok := strings.Cut(s, " "); ok {
		p = strings.TrimSpace(p)
		if strings.ContainsAny(p, `*?[\`) {
			return "", false
		}
		return "op\x00" + strings.ToUpper(method) + " " + p, true
	}
	if strings.HasPrefix(s, "/") {
		if strings.ContainsAny(s, `*?[\`) {
			return "", false
		}
		return "path\x00" + s, true
	}
	return "id\x00" + s, true
}

// of returns, in file order, the entries that may name the finding's
// operation.
func (ix index) of(x Finding) []int {
	out := slices.Clone(ix.globs)
	out = append(out, ix.exact["op\x00"+strings.ToUpper(x.Method)+" "+x.Path]...)
	out = append(out, ix.exact["path\x00"+x.Path]...)
	out = append(out, ix.exact["check\x00"+x.CheckID]...)
	if x.OperationID != "" {
		out = append(out, ix.exact["id\x00"+x.OperationID]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
