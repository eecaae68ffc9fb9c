package runner

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
)

// maxEchoFailures bounds the read-after-write mismatches listed for one
// check; the rest are counted.
const maxEchoFailures = 5

// readAfterWrite judges the read of a group right after its create
// (DESIGN.md, "Chains"): it must answer a success — a resource that was
// just created and cannot be read is the failure mode of a lagging read
// replica — and echo the fields the create sent.
func (g *graph) readAfterWrite(c generator.Check, res *Result) {
	if c.Chain == nil || c.Chain.Role != generator.RoleRead || c.Method != http.MethodGet {
		return
	}
	if !g.r.asserts.forCheck(c).on[CheckReadAfterWrite] || res.Outcome == Skipped || res.Outcome == Errored {
		return
	}
	if !slices.ContainsFunc(res.Bound, func(b Bound) bool { return b.Producer == c.Chain.Group }) {
		return // not bound to this run's create (a list value, a fallback)
	}
	e := g.st.get(c.Chain.Group)
	if e == nil || !e.exercised || !e.created {
		return
	}
	create := e.sent
	what := fmt.Sprintf("right after %s %s created it", create.Method, create.Path)
	var msgs []string
	if !res.Exercised {
		msgs = []string{fmt.Sprintf("%s: answered %d, not a success: what was just created is not readable (a lagging read replica?)", what, res.StatusCode)}
	} else {
		for i, m := range echoMismatches(create, res.Response, c) {
			if i == maxEchoFailures {
				msgs = append(msgs, fmt.Sprintf("%s: … and more fields not echoed", what))
				break
			}
			msgs = append(msgs, what+": "+m)
		}
	}
	for _, m := range msgs {
		res.Failures = append(res.Failures, Failure{Check: CheckReadAfterWrite, Message: g.r.mask(c, m)})
	}
	if len(msgs) > 0 {
		res.Outcome = Failed
	}
}

// echoMismatches compares the JSON body a create sent with what its read
// answered: every field sent must come back with the same value. Fields
// the read's documented schema does not have, marks readOnly or
// writeOnly, or whose format varies in representation (date-time, date,
// time, password, byte, binary) are left aside; without a documented
// schema, only fields present on both sides are compared.
func echoMismatches(create generator.Check, read *Response, c generator.Check) []string {
	b := create.Request.Body
	if b == nil || !generator.IsJSON(b.ContentType) || read == nil {
		return nil
	}
	sent, err := generator.DecodeJSON([]byte(b.Text))
	if err != nil {
		return nil
	}
	if _, ok := sent.(map[string]any); !ok {
		return nil
	}
	got, err := generator.DecodeJSON(read.Body)
	if err != nil {
		return []string{"the answer is not JSON: nothing echoes what was sent"}
	}
	var schema *openapi3.Schema
	if doc, ok := c.Expect.Match(read.StatusCode); ok {
		for _, ct := range doc.Content {
			if generator.IsJSON(ct.MediaType) && ct.Schema != nil {
				schema = ct.Schema
				break
			}
		}
	}
	var out []string
	echo(&out, "", sent, got, schema, schema != nil)
	return out
}

// echo compares a sent value with the value read at pointer p.
// documented says the read's schema describes p.
func echo(out *[]string, p string, sent, got any, s *openapi3.Schema, documented bool) {
	switch sv := sent.(type) {
	case map[string]any:
		gv, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s is %s (sent an object)", where(p), shown(got)))
			return
		}
		props := generator.Properties(s)
		for _, k := range slices.Sorted(maps.Keys(sv)) {
			sub, known := props[k]
			if s != nil && len(props) > 0 && !known {
				continue // the read does not document this field
			}
			if varies(sub) {
				continue
			}
			kp := p + "/" + generator.EscapeToken(k)
			g, present := gv[k]
			if !present {
				if documented && known {
					*out = append(*out, fmt.Sprintf("%s is missing (sent %s)", where(kp), shown(sv[k])))
				}
				continue
			}
			echo(out, kp, sv[k], g, sub, documented && known)
		}
	case []any:
		gv, ok := got.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s is %s (sent an array)", where(p), shown(got)))
			return
		}
		var items *openapi3.Schema
		if s != nil && s.Items != nil {
			items = s.Items.Value
		}
		for i, e := range sv {
			if !slices.ContainsFunc(gv, func(x any) bool {
				var none []string
				echo(&none, "", e, x, items, documented)
				return len(none) == 0
			}) {
				*out = append(*out, fmt.Sprintf("%s/%d %s is not among the %d elements read", where(p), i, shown(e), len(gv)))
			}
		}
	default:
		if !sameScalar(sent, got) {
			*out = append(*out, fmt.Sprintf("%s is %s (sent %s)", where(p), shown(got), shown(sent)))
		}
	}
}

// varies reports a field whose value is not expected back as sent.
func varies(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	if s.ReadOnly || s.WriteOnly {
		return true
	}
	switch s.Format {
	case "date-time", "date", "time", "password", "byte", "binary", "duration":
		return true
	}
	return false
}

// sameScalar compares two JSON scalars by value: numbers numerically, and
// a number equal to a string that spells it (gateways render int64 as
// strings).
func sameScalar(a, b any) bool {
	sa, okA := generator.Scalar(a)
	sb, okB := generator.Scalar(b)
	if !okA || !okB {
		return a == nil && b == nil
	}
	if sa == sb {
		return true
	}
	fa, errA := strconv.ParseFloat(sa, 64)
	fb, errB := strconv.ParseFloat(sb, 64)
	_, strA := a.(string)
	_, strB := b.(string)
	return errA == nil && errB == nil && fa == fb && !(strA && strB)
}

func where(p string) string {
	if p == "" {
		return "the body"
	}
	return p
}

func shown(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "…"
	}
	return string(b)
}
