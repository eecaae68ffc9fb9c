package synthetics_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
	"github.com/smoke-dev/smoke/synthetics"
)

// TestMapCorpus maps every operation of every spec in the shared corpus:
// mapping never fails on a real spec, and every schema assertion holds a
// schema that an independent validator compiles as JSON Schema draft-07
// (which checks it against the draft-07 meta-schema).
func TestMapCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: maps the whole shared spec corpus")
	}
	dir := testenv.SpecsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".json") || name == "counts.json" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			doc, err := spec.Load(t.Context(), filepath.Join(dir, name), spec.Options{})
			if err != nil {
				t.Skipf("spec does not load: %v", err)
			}
			plan, err := generator.Generate(doc, generator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tests, err := synthetics.Map(plan.Checks, synthetics.Options{Service: plan.Spec.Service, BaseURL: "https://api.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			withSchema := 0
			for _, tt := range tests {
				b, err := json.Marshal(tt)
				if err != nil {
					t.Fatal(err)
				}
				var p struct {
					Config struct {
						Assertions []struct {
							Type   string          `json:"type"`
							Target json.RawMessage `json:"target"`
						} `json:"assertions"`
					} `json:"config"`
				}
				if err := json.Unmarshal(b, &p); err != nil {
					t.Fatal(err)
				}
				for _, a := range p.Config.Assertions {
					if a.Type != "body" {
						continue
					}
					var target struct {
						JSONSchema string `json:"jsonSchema"`
					}
					if err := json.Unmarshal(a.Target, &target); err != nil {
						t.Fatal(err)
					}
					if err := compileDraft07(target.JSONSchema); err != nil {
						t.Errorf("%s: schema is not valid draft-07: %v", tt.Name, err)
					}
					withSchema++
				}
			}
			t.Logf("%d checks, %d with a response schema assertion", len(tests), withSchema)
		})
	}
}

func compileDraft07(src string) error {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	if err := c.AddResource("schema.json", doc); err != nil {
		return err
	}
	_, err = c.Compile("schema.json")
	return err
}
