package generator_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/internal/golden"
	"github.com/smoke-dev/smoke/internal/testenv"
	"github.com/smoke-dev/smoke/spec"
)

// TestInferCorpus lists, for every document of the shared corpus, the
// bindings smoke infers and the groups they make, in
// testdata/bindings/<file>.golden: the evidence of inference precision,
// reviewed by hand (go test ./generator -run InferCorpus -update rewrites
// the files; review the diff).
func TestInferCorpus(t *testing.T) {
	dir := testenv.SpecsDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	slices.Sort(files)
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
			golden.Assert(t, filepath.Join("bindings", filepath.Base(f)+".golden"), []byte(bindingDigest(plan)))
			// Determinism: the same document gives the same graph.
			again, err := generator.Generate(doc, generator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if bindingDigest(again) != bindingDigest(plan) {
				t.Errorf("two generations of %s infer different bindings", filepath.Base(f))
			}
		})
	}
}

// bindingDigest renders a plan's bindings and groups for review.
func bindingDigest(p *generator.Plan) string {
	var b strings.Builder
	byID := map[string]generator.Check{}
	n := 0
	for _, c := range p.Checks {
		byID[c.ID] = c
		n += len(c.Bindings)
	}
	fmt.Fprintf(&b, "# %s %s: %d operations, %d bindings, %d groups\n", p.Spec.Title, p.Spec.Version, len(p.Checks), n, len(p.Graph.Groups))
	for _, c := range p.Checks {
		if len(c.Bindings) == 0 {
			continue
		}
		role := ""
		if c.Chain != nil {
			role = " [" + c.Chain.Role + "]"
		}
		fmt.Fprintf(&b, "%s %s%s\n", c.Method, c.Path, role)
		for _, x := range c.Bindings {
			fmt.Fprintf(&b, "    %s  (%s: %s)\n", x.Short(), x.Origin, x.From)
		}
	}
	if len(p.Graph.Groups) > 0 {
		b.WriteString("groups:\n")
	}
	name := func(id string) string { c := byID[id]; return c.Method + " " + c.Path }
	for _, g := range p.Graph.Groups {
		fmt.Fprintf(&b, "  %s", g.Operation)
		if g.Read != "" {
			fmt.Fprintf(&b, " | read %s", name(g.Read))
		}
		for _, u := range g.Update {
			fmt.Fprintf(&b, " | update %s", name(u))
		}
		for _, u := range g.Use {
			fmt.Fprintf(&b, " | use %s", name(u))
		}
		if g.Delete != "" {
			fmt.Fprintf(&b, " | delete %s", name(g.Delete))
		}
		for _, d := range g.Again {
			fmt.Fprintf(&b, " | create again, delete %s", name(d))
		}
		b.WriteString("\n")
	}
	for _, w := range p.Graph.Broken {
		fmt.Fprintf(&b, "broken: %s\n", w)
	}
	return b.String()
}
