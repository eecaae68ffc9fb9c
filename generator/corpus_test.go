package generator_test

import (
	"encoding/json"
	"mime"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// TestGeneratedBodiesValidate is a property test over real documents: every
// JSON request body smoke generates (not copied from an example, which
// documents may get wrong) validates against the operation's request schema.
func TestGeneratedBodiesValidate(t *testing.T) {
	dir := testenv.SpecsDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	files = append(files, testenv.DatadogSpec(t, "v1"), testenv.DatadogSpec(t, "v2"))
	sort.Strings(files)
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") && !strings.HasSuffix(f, ".json") || strings.HasSuffix(f, "counts.json") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := spec.Load(t.Context(), f, spec.Options{SkipValidation: true})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := generator.Generate(doc, generator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var opts []openapi3.SchemaValidationOption
			opts = append(opts, openapi3.VisitAsRequest(), openapi3.MultiErrors())
			checked, failed := 0, 0
			for _, c := range plan.Checks {
				b := c.Request.Body
				if b == nil || b.Source != generator.SourceGenerated {
					continue
				}
				mt, _, _ := mime.ParseMediaType(b.ContentType)
				if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
					continue
				}
				op := doc.T.Paths.Value(c.Path).GetOperation(c.Method)
				media := op.RequestBody.Value.Content.Get(b.ContentType)
				if media == nil || media.Schema == nil || media.Schema.Value == nil {
					continue
				}
				var v any
				if err := json.Unmarshal([]byte(b.Text), &v); err != nil {
					t.Errorf("%s %s: body is not JSON: %v", c.Method, c.Path, err)
					continue
				}
				checked++
				if err := media.Schema.Value.VisitJSON(v, opts...); err != nil {
					failed++
					if failed <= 5 {
						t.Errorf("%s %s: generated body %s does not validate: %s", c.Method, c.Path, trim(b.Text), trim(err.Error()))
					}
				}
			}
			t.Logf("%d generated JSON bodies validated, %d failed", checked, failed)
		})
	}
}

func trim(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
