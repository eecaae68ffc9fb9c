package baseline

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/runner"
)

var expires = Date{}

func init() {
	expires, _ = ParseDate("2026-12-28")
}

// merge judges results against data and merges the new findings.
func merge(t *testing.T, data string, results []runner.Result) (string, []Finding) {
	t.Helper()
	f := mustParse(t, data, LoadOptions{AllowUnreviewed: true})
	j := JudgeRun(f, results, RunOptions{Now: now})
	out, added, err := Merge("b.yaml", []byte(data), SectionRun, j, expires)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), added
}

func TestMergeNewFile(t *testing.T) {
	out, added := merge(t, "", runResults())
	if len(added) != 3 {
		t.Fatalf("added %d, want 3: %+v", len(added), added)
	}
	want := header + `
run:
  # GET /stats: not_server_error: status 500
  - operation: GET /stats
    assertion: not_server_error
    reason: ""
    expires: 2026-12-28
  # GET /stats: response_schema: a
  - operation: GET /stats
    assertion: response_schema
    reason: ""
    expires: 2026-12-28
  # PUT /pets/{petId}: latency: slow
  - operation: PUT /pets/{petId}
    assertion: latency
    reason: ""
    expires: 2026-12-28
`
	if out != want {
		t.Errorf("Merge =\n%s\nwant\n%s", out, want)
	}
	// The file is refused until every reason is filled in.
	_, err := Parse("b.yaml", []byte(out), LoadOptions{})
	if be, ok := errors.AsType[*Error](err); !ok || !be.Unreviewed || be.Line != 12 {
		t.Errorf("Parse(written) = %v, want the empty reason of line 12", err)
	}
	// Once filled in, every finding is accepted and merging adds nothing.
	reviewed := strings.ReplaceAll(out, `reason: ""`, "reason: reviewed")
	f := mustParse(t, reviewed, LoadOptions{})
	if j := JudgeRun(f, runResults(), RunOptions{Now: now}); j.Summary != (Summary{Accepted: 3}) {
		t.Errorf("reviewed: %+v", j.Summary)
	}
	again, added := merge(t, reviewed, runResults())
	if again != reviewed || len(added) != 0 {
		t.Errorf("a second merge changed the file or added %d", len(added))
	}
	// Merging without findings into nothing still writes a valid file.
	empty, added := merge(t, "", runResults()[2:3])
	if len(added) != 0 || !strings.HasPrefix(empty, header) || len(mustParse(t, empty, LoadOptions{}).Run) != 0 {
		t.Errorf("empty merge = %q, %d added", empty, len(added))
	}
}

// TestMergeKeepsTheFile: a reviewed file keeps every byte; new entries go
// to the end of their section, indented as its entries are.
func TestMergeKeepsTheFile(t *testing.T) {
	const reviewed = `# Reviewed by the platform team.
run:
    # 500 until the cache is warm
    -   operation: GET /stats
        assertion: not_server_error
        reason: cache warm-up (OPS-12)   # see the runbook
        expires: 2026-12-31

    # the schema change ships with 2.4
    -   operation: GET /stats
        assertion: response_schema
        reason: ""
        expires: 2026-12-31

# Differences between the EC2 and Fargate deployments.
diff:
  - operation: GET /pets/{petId}
    pointer: /tag
    kind: missing
    reason: |
      tag moves to labels
      (PETS-7)
    expires: 2027-01-15
`
	out, added := merge(t, reviewed, runResults())
	if len(added) != 1 || added[0].Assertion != "latency" {
		t.Fatalf("added %+v, want the latency failure alone (the others have entries)", added)
	}
	cut := strings.Index(reviewed, "\n# Differences")
	want := reviewed[:cut] + `    # PUT /pets/{petId}: latency: slow
    - operation: PUT /pets/{petId}
      assertion: latency
      reason: ""
      expires: 2026-12-28
` + reviewed[cut:]
	if out != want {
		t.Errorf("Merge =\n%s\nwant\n%s", out, want)
	}
	f := mustParse(t, out, LoadOptions{AllowUnreviewed: true})
	if len(f.Run) != 3 || f.Diff[0].Reason != "tag moves to labels\n(PETS-7)" {
		t.Errorf("merged file reads as %+v", f)
	}
}

func TestMergeShapes(t *testing.T) {
	one := runResults()[4:5] // PUT /pets/{petId}: latency
	entry := func(indent string) string {
		return indent + "# PUT /pets/{petId}: latency: slow\n" + indent + "- operation: PUT /pets/{petId}\n" + indent + "  assertion: latency\n" +
			indent + "  reason: \"\"\n" + indent + "  expires: 2026-12-28\n"
	}
	for _, tt := range []struct{ name, data, want string }{
		{"no section", "diff: []\n", "diff: []\n\nrun:\n" + entry("  ")},
		{"no section, no final newline", "# hello", "# hello\n\nrun:\n" + entry("  ")},
		{"null section", "run:\ndiff: []\n", "run:\n" + entry("  ") + "diff: []\n"},
		{"tilde with comment", "run: ~ # none yet\n", "run: # none yet\n" + entry("  ")},
		{"empty flow list", "  # top\nrun: []\n", "  # top\nrun:\n" + entry("  ")},
		{"last section at column 0", "run:\n- {operation: GET /a, assertion: latency, reason: r, expires: 2026-12-31}\n# end\n",
			"run:\n- {operation: GET /a, assertion: latency, reason: r, expires: 2026-12-31}\n" + entry("") + "# end\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, added := merge(t, tt.data, one)
			if out != tt.want || len(added) != 1 {
				t.Errorf("Merge(%q) =\n%s\nwant\n%s", tt.data, out, tt.want)
			}
		})
	}
	t.Run("flow list with entries", func(t *testing.T) {
		data := "run: [{operation: GET /a, assertion: latency, reason: r, expires: 2026-12-31}]\n"
		f := mustParse(t, data, LoadOptions{})
		_, _, err := Merge("b.yaml", []byte(data), SectionRun, JudgeRun(f, one, RunOptions{Now: now}), expires)
		if err == nil || !strings.Contains(err.Error(), "b.yaml:1: run: a flow list ([...]) cannot be merged into") {
			t.Errorf("Merge = %v, want a refusal naming the line", err)
		}
	})
	t.Run("a broken file is not merged", func(t *testing.T) {
		_, _, err := Merge("b.yaml", []byte("run: [\n"), SectionRun, JudgeRun(nil, one, RunOptions{Now: now}), expires)
		if _, ok := errors.AsType[*Error](err); !ok {
			t.Errorf("Merge = %v, want a *Error", err)
		}
	})
}

func TestMergeDiff(t *testing.T) {
	rep := sampleDiff(t)
	j := JudgeDiff(nil, rep, diff.FailOnRegression, now)
	out, added, err := Merge("b.yaml", nil, SectionDiff, j, expires)
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, string(out), LoadOptions{AllowUnreviewed: true})
	var got []string
	for _, e := range f.Diff {
		got = append(got, e.String())
	}
	want := []string{"GET /pets/{petId} missing /owner/name", "GET /pets/{petId} missing /tag",
		"GET /pets/{petId} changed /items/*/id", "GET /pets/{petId} header X-Api-Version", "GET /stats status"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(added) != len(want) {
		t.Errorf("entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(string(out), "  # GET /pets/{petId}: missing /tag: old \"dog\", new —\n  - operation: GET /pets/{petId}\n    pointer: /tag\n    kind: missing\n") {
		t.Errorf("entry of /tag not as expected:\n%s", out)
	}
	// Reviewed, the same diff is accepted whole.
	f = mustParse(t, strings.ReplaceAll(string(out), `reason: ""`, "reason: ok"), LoadOptions{})
	if s := JudgeDiff(f, rep, diff.FailOnRegression, now).Summary; s != (Summary{Accepted: 5}) {
		t.Errorf("reviewed: %+v", s)
	}
}

func TestMergeQuotesAndComments(t *testing.T) {
	r := []runner.Result{{CheckID: "x", Method: "GET", Path: "/files/{name}#: x", Outcome: runner.Failed,
		Failures: []runner.Failure{{Check: "content_type", Message: "line one\nline two\x1b[31m red\x00"}}}}
	out, added := merge(t, "", r)
	if len(added) != 1 {
		t.Fatal("not added")
	}
	if !strings.Contains(out, "# GET /files/{name}#: x: content_type: line one line two [31m red\n") {
		t.Errorf("comment not sanitised:\n%q", out)
	}
	f := mustParse(t, out, LoadOptions{AllowUnreviewed: true})
	if f.Run[0].Operation != "GET /files/{name}#: x" {
		t.Errorf("operation read back as %q", f.Run[0].Operation)
	}
}

// TestScalarRoundTrips: every value written into an entry reads back as
// itself, plain or quoted.
func TestScalarRoundTrips(t *testing.T) {
	for _, s := range []string{"GET /pets/{petId}", "/items/*/id", "/a~1b", "not_server_error", "X-Api-Version", "getPet",
		"true", "No", "null", "~", "123", "1.5", "*alias", "&anchor", "- dash", "a: b", "a #b", "'q'", `"q"`, "{x}", "[x]",
		"GET  /two  spaces", "trailing ", " leading", "tab\there", "percent%", "@at", "`tick`", "|pipe", ">gt", "!tag", "?q", "ünï"} {
		var v map[string]any
		if err := yaml.Unmarshal([]byte("k: "+scalar(s)+"\n"), &v); err != nil {
			t.Errorf("scalar(%q) = %s: %v", s, scalar(s), err)
			continue
		}
		if got, ok := v["k"].(string); !ok || got != s {
			t.Errorf("scalar(%q) = %s reads back as %#v", s, scalar(s), v["k"])
		}
	}
}
