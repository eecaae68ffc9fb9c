package baseline

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodFile = `# reviewed 2026-11-02
run:
  - operation: GET /stats
    assertion: not_server_error
    reason: stats cache warms up in 2.4 (OPS-12)
    expires: 2026-12-31
  - check: 7a11e9f0b3c2
    not_exercised: not_found
    reason: owner 3f2a is created by the nightly job
    expires: 2026-12-31
diff:
  - operation: GET /pets/{petId}
    pointer: /tag
    kind: missing
    reason: tag moves to labels (PETS-7)
    expires: "2027-01-15"
`

func TestParse(t *testing.T) {
	f, err := Parse("b.yaml", []byte(goodFile), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Run) != 2 || len(f.Diff) != 1 {
		t.Fatalf("Parse = %d run and %d diff entries, want 2 and 1", len(f.Run), len(f.Diff))
	}
	r := f.Run[0]
	if r.Operation != "GET /stats" || r.Assertion != "not_server_error" || r.Line != 3 || r.Expires.String() != "2026-12-31" || r.Where() != "b.yaml:3" {
		t.Errorf("Run[0] = %+v", r)
	}
	if f.Run[1].Check != "7a11e9f0b3c2" || f.Run[1].NotExercised != "not_found" {
		t.Errorf("Run[1] = %+v", f.Run[1])
	}
	d := f.Diff[0]
	if d.Operation != "GET /pets/{petId}" || d.Pointer != "/tag" || d.Kind != "missing" || d.Line != 12 || d.Expires.String() != "2027-01-15" {
		t.Errorf("Diff[0] = %+v", d)
	}
	for _, empty := range []string{"", "# nothing yet\n", "run:\ndiff:\n", "run: []\n", "---\n"} {
		if f, err := Parse("b.yaml", []byte(empty), LoadOptions{}); err != nil || len(f.Run)+len(f.Diff) != 0 {
			t.Errorf("Parse(%q) = %+v, %v; want an empty baseline", empty, f, err)
		}
	}
}

// TestParseErrors: every refusal names the file and line of the entry or
// value at fault.
func TestParseErrors(t *testing.T) {
	entry := func(lines ...string) string { return "run:\n  - " + strings.Join(lines, "\n    ") + "\n" }
	dentry := func(lines ...string) string { return "diff:\n  - " + strings.Join(lines, "\n    ") + "\n" }
	ok := []string{"reason: r", "expires: 2026-01-01"}
	tests := []struct {
		name, data, want string
		unreviewed       bool
	}{
		{"not yaml", "run: [\n", `b.yaml:1: did not find expected node content`, false},
		{"not a mapping", "- a\n", "b.yaml:1: want a mapping with run: and diff: lists of entries", false},
		{"unknown section", "runs: []\n", `b.yaml:1: unknown key "runs": want run or diff`, false},
		{"section not a list", "run: 3\n", "b.yaml:1: run: want a list of entries", false},
		{"entry not a mapping", "run:\n  - GET /stats\n", "b.yaml:2: run entry: want a mapping", false},
		{"unknown key", entry(append([]string{"operation: GET /a", "assertion: latency", "because: x"}, ok...)...),
			`b.yaml:4: run entry: unknown key "because"`, false},
		{"repeated key", entry(append([]string{"operation: GET /a", "operation: GET /b", "assertion: latency"}, ok...)...),
			"b.yaml:3: run entry: operation is given twice", false},
		{"nested value", entry(append([]string{"operation: [GET /a]", "assertion: latency"}, ok...)...),
			"b.yaml:2: run entry: operation: want a single value", false},
		{"no check nor operation", entry(append([]string{"assertion: latency"}, ok...)...),
			"b.yaml:2: run entry: name the check (check: ID) or its operation", false},
		{"no finding", entry(append([]string{"operation: GET /a"}, ok...)...),
			"b.yaml:2: run entry (GET /a not exercised: ): name the finding", false},
		{"two findings", entry(append([]string{"operation: GET /a", "assertion: latency", "not_exercised: not_found"}, ok...)...),
			"assertion and not_exercised exclude each other", false},
		{"bad selector", entry(append([]string{"operation: GET pets", "assertion: latency"}, ok...)...),
			`b.yaml:2: run entry (GET pets latency): operation must be "METHOD /path"`, false},
		{"unknown assertion", entry(append([]string{"operation: GET /a", "assertion: fast"}, ok...)...),
			`b.yaml:3: run entry (GET /a fast): unknown assertion "fast"`, false},
		{"unknown reason", entry(append([]string{"operation: GET /a", "not_exercised: gone"}, ok...)...),
			`b.yaml:3: run entry (GET /a not exercised: gone): unknown reason "gone": want one of not_found, rejected`, false},
		{"no_answer", entry(append([]string{"operation: GET /a", "not_exercised: no_answer"}, ok...)...),
			"no_answer is not a finding a baseline accepts", false},
		{"reason missing", entry("operation: GET /a", "assertion: latency", "expires: 2026-01-01"),
			"b.yaml:2: run entry (GET /a latency): reason is missing", false},
		{"reason empty", entry("operation: GET /a", "assertion: latency", `reason: ""`, "expires: 2026-01-01"),
			"b.yaml:4: run entry (GET /a latency): reason is empty: say why the finding is accepted", true},
		{"reason blank", entry("operation: GET /a", "assertion: latency", "reason:", "expires: 2026-01-01"),
			"b.yaml:4: run entry (GET /a latency): reason is empty", true},
		{"expires missing", entry("operation: GET /a", "assertion: latency", "reason: r"),
			"b.yaml:2: run entry (GET /a latency): expires is missing", false},
		{"expires not a date", entry("operation: GET /a", "assertion: latency", "reason: r", "expires: next week"),
			`b.yaml:5: run entry (GET /a latency): expires: "next week" is not a date: want YYYY-MM-DD`, false},
		{"expires not a day", entry("operation: GET /a", "assertion: latency", "reason: r", "expires: 2026-02-30"),
			`expires: "2026-02-30" is not a date`, false},
		{"diff without operation", dentry(append([]string{"pointer: /tag", "kind: missing"}, ok...)...),
			"b.yaml:2: diff entry ( missing /tag): name the operation", false},
		{"diff without kind", dentry(append([]string{"operation: GET /a", "pointer: /tag"}, ok...)...),
			"b.yaml:2: diff entry (GET /a  /tag): name the kind", false},
		{"diff unknown kind", dentry(append([]string{"operation: GET /a", "kind: gone"}, ok...)...),
			`b.yaml:3: diff entry (GET /a gone): unknown kind "gone"`, false},
		{"diff bad pointer", dentry(append([]string{"operation: GET /a", "pointer: tag", "kind: missing"}, ok...)...),
			`b.yaml:3: diff entry (GET /a missing tag): invalid JSON pointer "tag": must be empty or start with /`, false},
		{"diff pointer and header", dentry(append([]string{"operation: GET /a", "pointer: /a", "header: X-A", "kind: header"}, ok...)...),
			"pointer and header exclude each other", false},
		{"duplicate", "run:\n  - {operation: GET /a, assertion: latency, reason: r, expires: 2026-01-01}\n  - {operation: get /a, assertion: latency, reason: s, expires: 2026-02-01}\n",
			"b.yaml:3: run entry (get /a latency) names the same finding as the entry at line 2: keep one", false},
		{"second document", "run: []\n---\ndiff: []\n", "b.yaml:3: a second YAML document", false},
		{"a document after an empty one", "run: []\n---\n---\ndiff: []\n", "b.yaml:4: a second YAML document", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.yaml", []byte(tt.data), LoadOptions{})
			be, ok := errors.AsType[*Error](err)
			if !ok || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, want a *Error containing %q", tt.data, err, tt.want)
			}
			if be.Unreviewed != tt.unreviewed {
				t.Errorf("Unreviewed = %v, want %v", be.Unreviewed, tt.unreviewed)
			}
			if tt.unreviewed {
				if _, err := Parse("b.yaml", []byte(tt.data), LoadOptions{AllowUnreviewed: true}); err != nil {
					t.Errorf("with AllowUnreviewed: %v", err)
				}
			}
		})
	}
}

// TestParseReportsMalformedBeforeUnreviewed: a file with an empty reason
// and a broken entry further down names the broken entry: the empty
// reason is the last thing to fix.
func TestParseReportsMalformedBeforeUnreviewed(t *testing.T) {
	data := "run:\n  - {operation: GET /a, assertion: latency, reason: '', expires: 2026-01-01}\n  - {operation: GET /b, assertion: nope, reason: r, expires: 2026-01-01}\n"
	_, err := Parse("b.yaml", []byte(data), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `b.yaml:3: run entry (GET /b nope): unknown assertion`) {
		t.Errorf("Parse = %v, want the unknown assertion on line 3", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"), LoadOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
	p := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(p, []byte(goodFile), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p, LoadOptions{})
	if err != nil || f.Path != p || f.Run[0].File != p {
		t.Errorf("Load = %+v, %v", f, err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxBytes+1); err != nil { // sparse: cheap to write
		t.Fatal(err)
	}
	if _, err := Load(big, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("Load(big) = %v, want the size limit", err)
	}
}

func TestDates(t *testing.T) {
	d, err := ParseDate("2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Reason: "r", Expires: d}
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC), false}, // through the expires day
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), true},
		// The day is UTC's: 20:00 on the 31st in New York is April 1st.
		{time.Date(2026, 3, 31, 20, 0, 0, 0, time.FixedZone("EDT", -4*3600)), true},
	} {
		if got := e.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	if got := DefaultExpiry(time.Date(2026, 12, 15, 23, 0, 0, 0, time.UTC)).String(); got != "2027-01-14" {
		t.Errorf("DefaultExpiry = %s, want 2027-01-14", got)
	}
}
