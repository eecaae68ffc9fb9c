package spec

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// mergeDoc is a Swagger 2.0 document whose paths each merge one mapping
// of keys entries, each value a long description.
func mergeDoc(keys, paths int) []byte {
	var b strings.Builder
	b.WriteString("swagger: '2.0'\ninfo: {title: big, version: '1'}\nx-big: &big\n")
	for i := range keys {
		fmt.Fprintf(&b, "  \"%d\": {description: %s}\n", 1000+i, strings.Repeat("x", 200))
	}
	b.WriteString("paths:\n")
	for i := range paths {
		fmt.Fprintf(&b, "  /p%d:\n    get:\n      responses:\n        \"200\": {description: ok}\n        <<: *big\n", i)
	}
	return []byte(b.String())
}

// TestMergeKeysDoNotAmplify checks that expanding merges refers to merged
// values instead of copying them (what is re-encoded grows with the number
// of merged pairs, not with their content), and that the number of pairs
// is capped.
func TestMergeKeysDoNotAmplify(t *testing.T) {
	in := mergeDoc(100, 200)
	out, _, err := normalise(in, "2.0", false)
	if err != nil {
		t.Fatal(err)
	}
	pairs := 100 * 200
	if limit := len(in) + 64*pairs; len(out) > limit {
		t.Errorf("normalised document = %d bytes from %d, want at most %d: merged values were copied", len(out), len(in), limit)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(out, &root); err != nil {
		t.Fatalf("normalised document does not parse: %v", err)
	}
	if strings.Contains(string(out), "<<") {
		t.Errorf("a merge key survived")
	}

	bomb := mergeDoc(1100, 1000) // 1.1 million pairs from a 300 KB document
	if _, _, err := normalise(bomb, "2.0", false); err == nil || !strings.Contains(err.Error(), "more than 1048576 entries") {
		t.Errorf("normalise(merge bomb) error = %v, want the cap named", err)
	}
}

func TestNormaliseLeavesOtherDocumentsAlone(t *testing.T) {
	for _, in := range []string{
		"openapi: 3.0.3\ninfo: {title: t, version: '1', description: 'a << b: c'}\npaths: {}\n",
		`{"openapi": "3.0.3", "x-merge": {"<<": {"a": 1}}, "paths": {}}`,
		"openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {example: {items: [1, 2]}}}\n",
	} {
		out, warnings, err := normalise([]byte(in), "3.0.3", true)
		if err != nil || string(out) != in || len(warnings) != 0 {
			t.Errorf("normalise(%q) = %q, %q, %v; want it unchanged", in, out, warnings, err)
		}
	}
}

// FuzzNormalise checks that normalising never panics, and that what it
// rewrites is YAML again, without merge keys when it expanded them.
func FuzzNormalise(f *testing.F) {
	f.Add([]byte("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n"), true)
	f.Add([]byte("a: &x {b: 1}\nc: {<<: [*x, {e: 3}], d: 2}\nitems: [{type: string}]\n"), true)
	f.Add([]byte("a: &x\n  <<: *x\n"), false)
	f.Add([]byte("s:\n  items:\n  - type: string\n  - type: integer\n  example: {items: [1]}\n"), true)
	f.Add([]byte(`{"items": [{"type": "string"}], "properties": {"items": {"type": "array", "items": []}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, tuples bool) {
		for _, v := range []string{"2.0", "3.0.3", "3.1.0"} {
			out, warnings, err := normalise(data, v, tuples)
			if err != nil || string(out) == string(data) {
				continue
			}
			var root yaml.Node
			if err := yaml.Unmarshal(out, &root); err != nil {
				t.Fatalf("normalise(%q, %s) = %q, which does not parse: %v", data, v, out, err)
			}
			if len(warnings) == 0 && mergeKeyRe.Match(out) {
				t.Fatalf("normalise(%q, %s) = %q still has a merge key", data, v, out)
			}
		}
	})
}
