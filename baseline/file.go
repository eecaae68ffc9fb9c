package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/config"
	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// File is a baseline: the accepted findings of smoke run and smoke diff.
type File struct {
	// Path is the file's name, as given (for messages).
	Path string
	Run  []RunEntry
	Diff []DiffEntry
}

// Entry is what every entry carries: why its finding is accepted, until
// when, and where the entry stands.
type Entry struct {
	Reason  string `json:"reason"`
	Expires Date   `json:"expires"`
	// File and Line locate the entry (its "- " line).
	File string `json:"file"`
	Line int    `json:"line"`
}

// Where is "smoke-baseline.yaml:7".
func (e Entry) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// Expired reports whether the entry has expired at now: an entry accepts
// its finding through its expires day (UTC), and no longer from the day
// after.
func (e Entry) Expired(now time.Time) bool { return e.Expires.Before(now) }

// reviewed reports whether the entry has a reason.
func (e Entry) reviewed() bool { return strings.TrimSpace(e.Reason) != "" }

// RunEntry accepts a finding of smoke run: a failed assertion of a check,
// or a check that did not exercise its operation, for a reason.
type RunEntry struct {
	Entry
	// Check is a check ID (as the JSON report gives it); Operation selects
	// operations as diff's rules do ("GET /stats", "/stats", getStats).
	// At least one is set; when both are, both must match.
	Check     string             `json:"check,omitempty"`
	Operation generator.Selector `json:"operation,omitempty"`
	// Assertion names a failed assertion (not_server_error ...);
	// NotExercised a reason a check did not exercise its operation
	// (not_found ...). Exactly one is set.
	Assertion    string        `json:"assertion,omitempty"`
	NotExercised runner.Reason `json:"not_exercised,omitempty"`
}

// String names what the entry accepts: "GET /stats not_server_error".
func (e RunEntry) String() string {
	var parts []string
	if e.Operation != "" {
		parts = append(parts, string(e.Operation))
	}
	if e.Check != "" {
		parts = append(parts, "check "+e.Check)
	}
	if e.Assertion != "" {
		parts = append(parts, e.Assertion)
	} else {
		parts = append(parts, "not exercised: "+string(e.NotExercised))
	}
	return strings.Join(parts, " ")
}

// matches reports whether the entry names the check's operation.
func (e RunEntry) matches(checkID, method, path, operationID string) bool {
	return (e.Check == "" || e.Check == checkID) && e.Operation.Match(method, path, operationID)
}

// DiffEntry accepts a difference of smoke diff: the operation, pointer
// template, header and kind, as a rule of diff.rules selects one.
type DiffEntry struct {
	Entry
	diff.Selector
	matcher *diff.Matcher
}

// String names what the entry accepts: `GET /pets/{petId} missing /tag`.
func (e DiffEntry) String() string {
	s := e.Operation + " " + string(e.Kind)
	switch {
	case e.Header != "" && e.Kind == diff.KindHeader:
		s = e.Operation + " header " + e.Header
	case e.Header != "":
		s += " header " + e.Header
	case e.Pointer != "":
		s += " " + e.Pointer
	}
	return s
}

// Date is a calendar day, as an expires date is written (2026-12-31).
type Date struct{ t time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date: want YYYY-MM-DD, e.g. 2026-12-31", s)
	}
	return Date{t}, nil
}

// DateOf is the day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DefaultExpiry is the expires date --write-baseline gives new entries:
// 30 days after now. A baseline is a list of debts with due dates, not a
// place to park findings for good; a reviewer may set any date.
func DefaultExpiry(now time.Time) Date { return Date{DateOf(now).t.AddDate(0, 0, DefaultDays)} }

// DefaultDays is how many days DefaultExpiry gives.
const DefaultDays = 30

// Before reports whether the whole day d is before now's day (UTC).
func (d Date) Before(now time.Time) bool { return d.t.Before(DateOf(now).t) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String is YYYY-MM-DD.
func (d Date) String() string { return d.t.Format(time.DateOnly) }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// Error is a baseline that cannot be used: the CLI maps it to exit code 2.
type Error struct {
	File string
	Line int
	Msg  string
	// Unreviewed is true when the only problem is an entry without a
	// reason (as --write-baseline leaves them).
	Unreviewed bool
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// MaxBytes bounds a baseline file, as config.MaxBytes bounds smoke.yaml.
const MaxBytes = 16 << 20

// LoadOptions change what Load accepts.
type LoadOptions struct {
	// AllowUnreviewed accepts entries with an empty reason, as
	// --write-baseline must to merge into a file it wrote before. Such
	// entries accept nothing.
	AllowUnreviewed bool
}

// Load reads and checks a baseline file. A missing file is an error
// wrapping fs.ErrNotExist.
func Load(path string, opts LoadOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data, opts)
}

// Parse reads a baseline from data; name is used in messages. Every
// problem is an *Error naming the line: an unknown key, an entry that
// names no finding or two kinds of finding, an unknown assertion, reason
// or kind, a malformed selector or date, a missing expires, a missing or
// (unless opts.AllowUnreviewed) empty reason, and two entries naming the
// same finding.
func Parse(name string, data []byte, opts LoadOptions) (*File, error) {
	f, _, err := parse(name, data, opts)
	return f, err
}

// parse is Parse, returning the document's top-level mapping too (nil
// for an empty document).
func parse(name string, data []byte, opts LoadOptions) (*File, *yaml.Node, error) {
	f := &File{Path: name}
	if len(data) > MaxBytes {
		return nil, nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d MiB, the limit for a baseline", MaxBytes>>20)}
	}
	root, err := parseRoot(name, data)
	if err != nil || root == nil {
		if err != nil {
			return nil, nil, err
		}
		return f, nil, nil
	}
	p := parser{file: name, opts: opts}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		items, err := p.sequence(k, v)
		if err != nil {
			return nil, nil, err
		}
		switch k.Value {
		case sectionRun:
			for _, it := range items {
				e, err := p.runEntry(it)
				if err != nil {
					return nil, nil, err
				}
				f.Run = append(f.Run, e)
			}
		case sectionDiff:
			for _, it := range items {
				e, err := p.diffEntry(it)
				if err != nil {
					return nil, nil, err
				}
				f.Diff = append(f.Diff, e)
			}
		}
	}
	if err := duplicates(f); err != nil {
		return nil, nil, err
	}
	if p.unreviewed != nil {
		return nil, nil, p.unreviewed
	}
	return f, root, nil
}

// The sections of a baseline file.
const (
	sectionRun  = "run"
	sectionDiff = "diff"
)

// parseRoot decodes data into its top-level mapping: nil for an empty
// document (comments only). A second document is an error, as in
// smoke.yaml.
func parseRoot(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(name, err)
	}
	if line, err := config.ExtraDocument(dec); err != nil {
		return nil, yamlError(name, err)
	} else if line > 0 {
		return nil, &Error{File: name, Line: line, Msg: "a second YAML document (after ---): a baseline is one document"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := resolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: "want a mapping with run: and diff: lists of entries"}
	}
	return root, nil
}

func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &Error{File: name, Line: line, Msg: msg}
}

// resolve follows an alias to its anchor.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

type parser struct {
	file string
	opts LoadOptions
	// unreviewed is the first entry without a reason: reported once the
	// whole file is known to be well formed, so that a file with both
	// gets the error that needs a fix first.
	unreviewed *Error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// sequence returns the entries of a top-level key.
func (p *parser) sequence(k, v *yaml.Node) ([]*yaml.Node, error) {
	if k.Value != sectionRun && k.Value != sectionDiff {
		return nil, p.errorf(k, "unknown key %q: want run or diff", k.Value)
	}
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return nil, nil
	case v.Kind != yaml.SequenceNode:
		return nil, p.errorf(v, "%s: want a list of entries", k.Value)
	}
	return v.Content, nil
}

// fields reads an entry's keys, each a scalar, refusing unknown and
// repeated keys.
func (p *parser) fields(section string, n *yaml.Node, known []string) (map[string]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "%s entry: want a mapping (%s)", section, strings.Join(known, ", "))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if !slices.Contains(known, k.Value) {
			return nil, p.errorf(k, "%s entry: unknown key %q: want %s", section, k.Value, strings.Join(known, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errorf(k, "%s entry: %s is given twice", section, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, p.errorf(v, "%s entry: %s: want a single value", section, k.Value)
		}
		out[k.Value] = v
	}
	return out, nil
}

// str is the value of key, "" when absent or null.
func str(m map[string]*yaml.Node, key string) string {
	v, ok := m[key]
	if !ok || v.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// entry reads reason and expires. An empty reason is recorded as the
// parser's unreviewed error unless allowed.
func (p *parser) entry(section, what string, n *yaml.Node, m map[string]*yaml.Node) (Entry, error) {
	e := Entry{File: p.file, Line: n.Line}
	if _, ok := m["reason"]; !ok {
		return e, p.errorf(n, "%s entry %s: reason is missing: say why the finding is accepted", section, what)
	}
	e.Reason = str(m, "reason")
	if !e.reviewed() && !p.opts.AllowUnreviewed && p.unreviewed == nil {
		p.unreviewed = &Error{File: p.file, Line: m["reason"].Line, Unreviewed: true,
			Msg: fmt.Sprintf("%s entry %s: reason is empty: say why the finding is accepted (a ticket, an owner) before the baseline can accept it", section, what)}
	}
	v, ok := m["expires"]
	if !ok || str(m, "expires") == "" {
		return e, p.errorf(n, "%s entry %s: expires is missing: give the last day (YYYY-MM-DD) the finding is accepted", section, what)
	}
	d, err := ParseDate(v.Value)
	if err != nil {
		return e, p.errorf(v, "%s entry %s: expires: %v", section, what, err)
	}
	e.Expires = d
	return e, nil
}

var runKeys = []string{"check", "operation", "assertion", "not_exercised", "reason", "expires"}

func (p *parser) runEntry(n *yaml.Node) (RunEntry, error) {
	m, err := p.fields(sectionRun, n, runKeys)
	if err != nil {
		return RunEntry{}, err
	}
	n = resolve(n)
	e := RunEntry{Check: str(m, "check"), Operation: generator.Selector(str(m, "operation")),
		Assertion: str(m, "assertion"), NotExercised: runner.Reason(str(m, "not_exercised"))}
	what := "(" + e.String() + ")"
	switch {
	case e.Check == "" && (e.Operation == "" || e.Operation == "*"):
		return e, p.errorf(n, "run entry: name the check (check: ID) or its operation (operation: \"METHOD /path\" or an operationId)")
	case e.Assertion == "" && e.NotExercised == "":
		return e, p.errorf(n, "run entry %s: name the finding: assertion (a failed assertion) or not_exercised (a reason)", what)
	case e.Assertion != "" && e.NotExercised != "":
		return e, p.errorf(n, "run entry %s: assertion and not_exercised exclude each other: one finding per entry", what)
	}
	if err := e.Operation.Validate(); err != nil {
		return e, p.errorf(m["operation"], "run entry %s: %v", what, err)
	}
	if e.Assertion != "" {
		if err := runner.CheckAssertionNames([]string{e.Assertion}); err != nil {
			return e, p.errorf(m["assertion"], "run entry %s: %v", what, err)
		}
	}
	if e.NotExercised != "" {
		switch {
		case e.NotExercised == runner.ReasonNoAnswer:
			return e, p.errorf(m["not_exercised"], "run entry %s: no_answer is not a finding a baseline accepts: a check without an answer makes the run incomplete (exit 3)", what)
		case !slices.Contains(runner.Reasons(), e.NotExercised):
			return e, p.errorf(m["not_exercised"], "run entry %s: unknown reason %q: want one of %s", what, e.NotExercised, reasonList())
		}
	}
	e.Entry, err = p.entry(sectionRun, what, n, m)
	return e, err
}

// reasonList names the reasons a run entry may accept.
func reasonList() string {
	var out []string
	for _, r := range runner.Reasons() {
		if r != runner.ReasonNoAnswer {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, ", ")
}

var diffKeys = []string{"operation", "pointer", "header", "kind", "reason", "expires"}

func (p *parser) diffEntry(n *yaml.Node) (DiffEntry, error) {
	m, err := p.fields(sectionDiff, n, diffKeys)
	if err != nil {
		return DiffEntry{}, err
	}
	n = resolve(n)
	e := DiffEntry{Selector: diff.Selector{Operation: str(m, "operation"), Pointer: str(m, "pointer"),
		Header: str(m, "header"), Kind: diff.Kind(str(m, "kind"))}}
	what := "(" + e.String() + ")"
	switch {
	case e.Operation == "" || e.Operation == "*":
		return e, p.errorf(n, "diff entry %s: name the operation (\"METHOD /path\" or an operationId): a difference accepted everywhere belongs in diff.rules", what)
	case e.Kind == "":
		return e, p.errorf(n, "diff entry %s: name the kind of the difference (changed, missing, added, type, status, header, schema, latency)", what)
	}
	// Each part is checked where it is written, then the whole.
	if !diff.KnownKind(e.Kind) {
		return e, p.errorf(m["kind"], "diff entry %s: unknown kind %q", what, e.Kind)
	}
	if _, err := generator.SplitPointer(e.Pointer); err != nil {
		return e, p.errorf(m["pointer"], "diff entry %s: %v", what, err)
	}
	if err := generator.Selector(e.Operation).Validate(); err != nil {
		return e, p.errorf(m["operation"], "diff entry %s: %v", what, err)
	}
	if e.matcher, err = e.Selector.Compile(); err != nil {
		return e, p.errorf(n, "diff entry %s: %v", what, err)
	}
	e.Entry, err = p.entry(sectionDiff, what, n, m)
	return e, err
}

// duplicates refuses two entries that name the same finding: the second
// could never match, and which reason applies would be unclear.
func duplicates(f *File) error {
	seen := map[string]Entry{}
	check := func(key string, e Entry, what string) error {
		if first, ok := seen[key]; ok {
			return &Error{File: f.Path, Line: e.Line, Msg: fmt.Sprintf("%s names the same finding as the entry at line %d: keep one", what, first.Line)}
		}
		seen[key] = e
		return nil
	}
	for _, e := range f.Run {
		key := strings.Join([]string{"run", e.Check, generator.OperationKey(string(e.Operation)), e.Assertion, string(e.NotExercised)}, "\x00")
		if err := check(key, e.Entry, "run entry ("+e.String()+")"); err != nil {
			return err
		}
	}
	for _, e := range f.Diff {
		key := strings.Join([]string{"diff", generator.OperationKey(e.Operation), e.Pointer, strings.ToLower(e.Header), string(e.Kind)}, "\x00")
		if err := check(key, e.Entry, "diff entry ("+e.String()+")"); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
