package synthetics

import (
	"mime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// assertions maps the documented expectations: status code, content type,
// response time and the response schema. A schema that does not fit
// Datadog leaves a note instead of an assertion.
func assertions(c generator.Check, opts Options) ([]datadogV1.SyntheticsAssertion, []string) {
	var notes []string
	var out []datadogV1.SyntheticsAssertion
	out = append(out, statusAssertion(c.Expect))
	if ct, ok := contentType(c.Expect); ok {
		a := datadogV1.NewSyntheticsAssertionTarget(datadogV1.SYNTHETICSASSERTIONOPERATOR_CONTAINS,
			stringTarget(ct), datadogV1.SYNTHETICSASSERTIONTYPE_HEADER)
		a.SetProperty("content-type")
		out = append(out, datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(a))
	}
	if opts.MaxResponseTime > 0 {
		ms := float64(opts.MaxResponseTime / time.Millisecond)
		a := datadogV1.NewSyntheticsAssertionTarget(datadogV1.SYNTHETICSASSERTIONOPERATOR_LESS_THAN,
			datadogV1.SyntheticsAssertionTargetValueNumberAsSyntheticsAssertionTargetValue(&ms),
			datadogV1.SYNTHETICSASSERTIONTYPE_RESPONSE_TIME)
		out = append(out, datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(a))
	}
	s, note, ok := responseSchema(c.Expect)
	if note != "" {
		notes = append(notes, note)
	}
	if ok {
		tt := datadogV1.SyntheticsAssertionJSONSchemaTargetTarget{}
		tt.SetJsonSchema(s)
		tt.SetMetaSchema(datadogV1.SYNTHETICSASSERTIONJSONSCHEMAMETASCHEMA_DRAFT_07)
		a := datadogV1.NewSyntheticsAssertionJSONSchemaTarget(datadogV1.SYNTHETICSASSERTIONJSONSCHEMAOPERATOR_VALIDATES_JSON_SCHEMA,
			datadogV1.SYNTHETICSASSERTIONTYPE_BODY)
		a.SetTarget(tt)
		out = append(out, datadogV1.SyntheticsAssertionJSONSchemaTargetAsSyntheticsAssertion(a))
	}
	return out, notes
}

func stringTarget(s string) datadogV1.SyntheticsAssertionTargetValue {
	return datadogV1.SyntheticsAssertionTargetValueStringAsSyntheticsAssertionTargetValue(&s)
}

// statusAssertion accepts the documented statuses. A 5xx always fails a
// monitor, documented or not; "default" documents every other status.
func statusAssertion(e generator.Expect) datadogV1.SyntheticsAssertion {
	var exact []int
	var ranges []string
	hasDefault := false
	for _, s := range e.Status {
		switch k := strings.ToUpper(s); {
		case k == "DEFAULT":
			hasDefault = true
		case len(k) == 3 && strings.HasSuffix(k, "XX") && k[0] >= '1' && k[0] <= '4':
			ranges = append(ranges, k[:1])
		default:
			if n, err := strconv.Atoi(k); err == nil && n >= 100 && n < 500 {
				exact = append(exact, n)
			}
		}
	}
	mk := func(op datadogV1.SyntheticsAssertionOperator, target datadogV1.SyntheticsAssertionTargetValue) datadogV1.SyntheticsAssertion {
		return datadogV1.SyntheticsAssertionTargetAsSyntheticsAssertion(
			datadogV1.NewSyntheticsAssertionTarget(op, target, datadogV1.SYNTHETICSASSERTIONTYPE_STATUS_CODE))
	}
	switch {
	case hasDefault || (len(exact) == 0 && len(ranges) == 0):
		return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_DOES_NOT_MATCH, stringTarget(`^5\d\d$`))
	case len(exact) == 1 && len(ranges) == 0:
		n := float64(exact[0])
		return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_IS, datadogV1.SyntheticsAssertionTargetValueNumberAsSyntheticsAssertionTargetValue(&n))
	}
	sort.Ints(exact)
	sort.Strings(ranges)
	alts := make([]string, 0, len(exact)+len(ranges))
	for _, n := range exact {
		alts = append(alts, strconv.Itoa(n))
	}
	for _, r := range ranges {
		alts = append(alts, r+`\d\d`)
	}
	return mk(datadogV1.SYNTHETICSASSERTIONOPERATOR_MATCHES, stringTarget("^("+strings.Join(alts, "|")+")$"))
}

// contentType returns the one media type every documented response with
// content shares, if there is one.
func contentType(e generator.Expect) (string, bool) {
	seen := ""
	for _, r := range e.Responses {
		if isServerError(r.Status) {
			continue
		}
		if len(r.Content) == 0 {
			// A response without a body (204, a bare 404) has no
			// content type to assert.
			return "", false
		}
		for _, c := range r.Content {
			mt, _, err := mime.ParseMediaType(c.MediaType)
			if err != nil || strings.Contains(mt, "*") {
				return "", false
			}
			if seen != "" && seen != mt {
				return "", false
			}
			seen = mt
		}
	}
	return seen, seen != ""
}

func isServerError(status string) bool {
	return strings.HasPrefix(status, "5")
}
