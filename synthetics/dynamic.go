package synthetics

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"

	"github.com/smoke-dev/smoke/generator"
)

// Dynamic values (generator.Vars) become Datadog local variables: each
// placeholder of a check is one config variable of type text whose
// pattern is Datadog's built-in for it, evaluated when the test runs, and
// the request refers to it as {{ NAME }}:
//
//	${now+1h}   SMOKE_NOW_PLUS_1H    {{ date(1h, YYYY-MM-DDTHH:mm:ss) }}Z
//	${date+1d}  SMOKE_DATE_PLUS_1D   {{ date(1d, YYYY-MM-DD) }}
//	${time+1h}  SMOKE_TIME_PLUS_1H   {{ date(1h, HH:mm:ss) }}Z
//	${unix+1h}  SMOKE_UNIX_PLUS_1H   {{ timestamp(3600, s) }}
//	${unixms}   SMOKE_UNIXMS         {{ timestamp(0, ms) }}
//	${run}      SMOKE_RUN            {{ alphanumeric(8) }}
//	${uuid}     SMOKE_UUID           {{ uuid }}
//
// A local variable is evaluated once per test run, so ${run} is the same
// wherever it appears in one request, as in smoke run.

// localPrefix starts the name of every local variable smoke defines.
const localPrefix = "SMOKE_"

// mapDynamic maps a check, with its dynamic values as local variables.
func mapDynamic(c generator.Check, base *url.URL, opts Options) (Test, error) {
	c, locals := localVariables(c)
	t, err := mapCheck(c, base, opts)
	if err != nil || len(locals) == 0 {
		return t, err
	}
	cfg := t.api.Config
	cfg.ConfigVariables = append(locals, cfg.ConfigVariables...)
	t.api.Config = cfg
	return t, nil
}

// localVariables rewrites the template text of a dynamic check into
// Datadog's {{ NAME }} references and returns the variables they name,
// in order of first use. Escaped "$${" becomes a plain "${".
func localVariables(c generator.Check) (generator.Check, []datadogV1.SyntheticsConfigVariable) {
	if !c.Request.Dynamic {
		return c, nil
	}
	var vars []datadogV1.SyntheticsConfigVariable
	seen := map[string]bool{}
	conv := func(s string) string {
		if !strings.Contains(s, "$") {
			return s
		}
		var b strings.Builder
		for _, seg := range generator.Split(s) {
			if seg.Placeholder == nil {
				b.WriteString(seg.Literal)
				continue
			}
			name, pattern := local(*seg.Placeholder)
			if !seen[name] {
				seen[name] = true
				v := datadogV1.NewSyntheticsConfigVariable(name, datadogV1.SYNTHETICSCONFIGVARIABLETYPE_TEXT)
				v.SetPattern(pattern)
				vars = append(vars, *v)
			}
			b.WriteString("{{ " + name + " }}")
		}
		return b.String()
	}
	r := c.Request
	r.Dynamic = false
	r.URL = conv(r.URL)
	params := func(ps []generator.Param) []generator.Param {
		out := make([]generator.Param, len(ps))
		for i, p := range ps {
			p.Value = conv(p.Value)
			out[i] = p
		}
		return out
	}
	r.Path, r.Query, r.Headers, r.Cookies = params(r.Path), params(r.Query), params(r.Headers), params(r.Cookies)
	if r.Body != nil {
		b := *r.Body
		b.Text = conv(b.Text)
		r.Body = &b
	}
	c.Request = r
	return c, vars
}

// local names the variable of a placeholder and gives its pattern.
func local(p generator.Placeholder) (name, pattern string) {
	name = localPrefix + strings.ToUpper(p.Word)
	if p.Offset != 0 {
		n, unit := offsetUnit(p.Offset)
		sign := "_PLUS_"
		if n < 0 {
			sign = "_MINUS_"
		}
		name += sign + strconv.FormatInt(abs(n), 10) + strings.ToUpper(unit)
	}
	n, unit := offsetUnit(p.Offset)
	shift := strconv.FormatInt(n, 10) + unit
	secs := int64(p.Offset / time.Second)
	switch p.Word {
	case generator.WordNow:
		return name, "{{ date(" + shift + ", YYYY-MM-DDTHH:mm:ss) }}Z"
	case generator.WordDate:
		return name, "{{ date(" + shift + ", YYYY-MM-DD) }}"
	case generator.WordTime:
		return name, "{{ date(" + shift + ", HH:mm:ss) }}Z"
	case generator.WordUnix:
		return name, "{{ timestamp(" + strconv.FormatInt(secs, 10) + ", s) }}"
	case generator.WordUnixMS:
		return name, "{{ timestamp(" + strconv.FormatInt(p.Offset.Milliseconds(), 10) + ", ms) }}"
	case generator.WordRun:
		return name, "{{ alphanumeric(" + strconv.Itoa(generator.RunTokenLen) + ") }}"
	}
	return name, "{{ uuid }}"
}

// offsetUnit writes an offset in the largest of d, h, m, s that divides
// it, keeping its sign.
func offsetUnit(d time.Duration) (int64, string) {
	switch {
	case d == 0:
		return 0, "s"
	case d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "d"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "h"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "m"
	}
	return int64(d / time.Second), "s"
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// keepLocal returns the local (text) variables of a test's config
// variables: global ones are re-resolved on every sync.
func keepLocal(vars []datadogV1.SyntheticsConfigVariable) []datadogV1.SyntheticsConfigVariable {
	var out []datadogV1.SyntheticsConfigVariable
	for _, v := range vars {
		if v.Type == datadogV1.SYNTHETICSCONFIGVARIABLETYPE_TEXT {
			out = append(out, v)
		}
	}
	return out
}
