package generator_test

import (
	"encoding/json"
	"mime"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// corpusFiles lists the shared real documents and Datadog's two.
func corpusFiles(t *testing.T) []string {
	dir := testenv.SpecsDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	files = append(files, testenv.DatadogSpec(t, "v1"), testenv.DatadogSpec(t, "v2"))
	sort.Strings(files)
	var out []string
	for _, f := range files {
		if (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".json")) && !strings.HasSuffix(f, "counts.json") {
			out = append(out, f)
		}
	}
	return out
}

// validationOptions validate a request value as smoke generates it:
// patterns are ECMA-262, translated for Go (generator.CompilePattern).
func validationOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.VisitAsRequest(), openapi3.MultiErrors(),
		openapi3.SetSchemaRegexCompiler(func(p string) (openapi3.RegexMatcher, error) { return generator.CompilePattern(p) }),
	}
}

// TestGeneratedValuesValidate is a property test over real documents:
// every request value smoke makes (a JSON body, or a path, query, header
// or cookie value of a scalar schema), rendered as the runner sends it,
// validates against its schema, patterns included. Examples count too:
// smoke uses one only when it validates. What smoke could not generate
// is listed from the checks' notes.
func TestGeneratedValuesValidate(t *testing.T) {
	vars := generator.Vars{Now: time.Now(), Run: generator.NewRunToken()}
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := spec.Load(t.Context(), f, spec.Options{SkipValidation: true})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := generator.Generate(doc, generator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			opts := validationOptions()
			checked, failed, dynamic := 0, 0, 0
			fail := func(format string, args ...any) {
				failed++
				if failed <= 5 {
					t.Errorf(format, args...)
				}
			}
			var notes []string
			for _, c := range plan.Checks {
				for _, n := range c.Notes {
					if strings.Contains(n, "pattern") || strings.Contains(n, "cap") || strings.Contains(n, "branch") {
						notes = append(notes, c.Method+" "+c.Path+": "+n)
					}
				}
				if c.Request.Dynamic {
					dynamic++
				}
				r := c.Rendered(vars)
				if strings.Contains(r.Request.URL, "${") && !strings.Contains(c.Request.URL, "$${") {
					fail("%s %s: URL %q still holds a placeholder after rendering", c.Method, c.Path, r.Request.URL)
				}
				op := doc.T.Paths.Value(c.Path).GetOperation(c.Method)
				if b := r.Request.Body; b != nil && b.Source != generator.SourceFixture {
					mt, _, _ := mime.ParseMediaType(b.ContentType)
					media := op.RequestBody.Value.Content.Get(b.ContentType)
					if (mt == "application/json" || strings.HasSuffix(mt, "+json")) && media != nil && media.Schema != nil && media.Schema.Value != nil {
						var v any
						if err := json.Unmarshal([]byte(b.Text), &v); err != nil {
							fail("%s %s: body is not JSON: %v: %s", c.Method, c.Path, err, trim(b.Text))
						} else {
							checked++
							if err := media.Schema.Value.VisitJSON(v, opts...); err != nil {
								fail("%s %s: body %s does not validate: %s", c.Method, c.Path, trim(b.Text), trim(err.Error()))
							}
						}
					}
				}
				params := mergedParams(doc.T.Paths.Value(c.Path).Parameters, op.Parameters)
				for _, list := range [][]generator.Param{r.Request.Path, r.Request.Query, r.Request.Headers, r.Request.Cookies} {
					for _, p := range list {
						if p.Source != generator.SourceGenerated {
							continue
						}
						ps := params[strings.ToLower(p.Name)]
						if ps == nil || ps.Schema == nil || ps.Schema.Value == nil {
							continue
						}
						v, ok := scalar(ps.Schema.Value, p.Value)
						if !ok {
							continue
						}
						checked++
						if err := ps.Schema.Value.VisitJSON(v, opts...); err != nil {
							fail("%s %s: %s %s = %q does not validate: %s", c.Method, c.Path, ps.In, p.Name, p.Value, trim(err.Error()))
						}
					}
				}
			}
			t.Logf("%d values validated, %d failed; %d of %d requests dynamic", checked, failed, dynamic, len(plan.Checks))
			for _, n := range slices.Compact(notes) {
				t.Logf("not generated: %s", n)
			}
		})
	}
}

func mergedParams(lists ...openapi3.Parameters) map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	for _, l := range lists {
		for _, r := range l {
			if r != nil && r.Value != nil {
				out[strings.ToLower(r.Value.Name)] = r.Value
			}
		}
	}
	return out
}

// scalar reads a parameter string as its schema's scalar type.
func scalar(s *openapi3.Schema, v string) (any, bool) {
	if s.Type == nil || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 {
		return nil, false
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return v, true
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	case s.Type.Is(openapi3.TypeBoolean):
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return nil, false
}

func trim(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
