package baseline

import (
	"fmt"
	"strings"
	"time"

	"github.com/smoke-dev/smoke/diff"
	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// Status is what a baseline says of a finding.
type Status string

// Statuses, as reports show them.
const (
	// New: no reviewed entry names the finding: it fails as before.
	New Status = "new"
	// Accepted: an entry names the finding and has not expired.
	Accepted Status = "accepted"
	// Expired: the entry that names the finding has expired: the finding
	// fails again, with the entry's reason.
	Expired Status = "expired"
)

// Finding is one thing that fails a run or a diff at the configured
// level, named as a baseline entry names it, with what the baseline says
// of it.
type Finding struct {
	CheckID     string `json:"check_id"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	OperationID string `json:"operation_id,omitempty"`
	// Assertion is the failed assertion of a run finding; NotExercised
	// the reason a check did not exercise its operation (with --fail-on
	// unexercised).
	Assertion    string        `json:"assertion,omitempty"`
	NotExercised runner.Reason `json:"not_exercised,omitempty"`
	// Kind, Pointer (the concrete pointer), Template (its pointer
	// template, which entries name) and Header locate a diff finding.
	Kind     diff.Kind `json:"kind,omitempty"`
	Pointer  string    `json:"pointer,omitempty"`
	Template string    `json:"template,omitempty"`
	Header   string    `json:"header,omitempty"`
	// Message says what was found: a failure's message, a difference's
	// OLD and NEW examples.
	Message string `json:"message,omitempty"`
	Status  Status `json:"status"`
	// Entry is the entry that names the finding (nil when none does; an
	// entry whose reason is still empty names it without accepting it).
	Entry *Entry `json:"entry,omitempty"`
}

// Operation is "GET /pets/{petId}".
func (f Finding) Operation() string { return f.Method + " " + f.Path }

// What names the finding within its operation: "not_server_error", "not
// exercised: not_found", "missing /tag", "header X-Cache".
func (f Finding) What() string {
	switch {
	case f.Assertion != "":
		return f.Assertion
	case f.NotExercised != "":
		return "not exercised: " + string(f.NotExercised)
	case f.Header != "" && f.Kind == diff.KindHeader:
		return "header " + f.Header
	case f.Header != "":
		return string(f.Kind) + " header " + f.Header
	case f.Pointer != "":
		return string(f.Kind) + " " + f.Pointer
	}
	return string(f.Kind)
}

// Stale is an entry that named no finding. When the run or diff checked
// the operation the entry names, what it accepted is gone (a fix): the
// entry is stale and should be deleted. When it checked no such operation
// (filters, a skip, an interrupted run, an operation the spec no longer
// has, a typo), nothing is known of the finding: the entry is unchecked.
type Stale struct {
	Entry
	// Names is what the entry names: "GET /stats not_server_error".
	Names string `json:"names"`
	// Expired is true when the entry has expired too.
	Expired bool `json:"expired"`
	// Checked is true when an operation the entry names was checked:
	// stale; false: unchecked.
	Checked bool `json:"checked"`
}

// Summary counts findings by status, and the entries that named none:
// stale (their operation was checked) and unchecked (it was not).
type Summary struct {
	Accepted  int `json:"accepted"`
	Expired   int `json:"expired"`
	New       int `json:"new"`
	Stale     int `json:"stale"`
	Unchecked int `json:"unchecked"`
}

// Judgement is a run or a diff seen through a baseline.
type Judgement struct {
	// File is the baseline's path.
	File    string  `json:"file"`
	Summary Summary `json:"summary"`
	// Findings are every finding at the configured level, in report
	// order.
	Findings []Finding `json:"findings"`
	// Stale lists the entries of the command's section that named no
	// finding, in file order: stale ones (Checked) and unchecked ones.
	Stale []Stale `json:"stale"`
}

// Fails reports whether a finding is new or expired: the run or diff
// fails (exit 1).
func (j *Judgement) Fails() bool { return j != nil && j.Summary.New+j.Summary.Expired > 0 }

// Of returns the findings of one check, in report order.
func (j *Judgement) Of(checkID string) []Finding {
	if j == nil {
		return nil
	}
	var out []Finding
	for _, f := range j.Findings {
		if f.CheckID == checkID {
			out = append(out, f)
		}
	}
	return out
}

// AllAccepted reports whether the check has findings and the baseline
// accepts every one of them: reports show it apart, as accepted.
func (j *Judgement) AllAccepted(checkID string) bool {
	fs := j.Of(checkID)
	for _, f := range fs {
		if f.Status != Accepted {
			return false
		}
	}
	return len(fs) > 0
}

// Failure returns the finding of a failed assertion of a check, nil when
// it is none (or there is no baseline).
func (j *Judgement) Failure(checkID, assertion string) *Finding {
	return j.find(func(f Finding) bool { return f.CheckID == checkID && f.Assertion == assertion })
}

// NotExercisedOf returns the finding of a check that did not exercise
// its operation, nil when it is none.
func (j *Judgement) NotExercisedOf(checkID string) *Finding {
	return j.find(func(f Finding) bool { return f.CheckID == checkID && f.NotExercised != "" })
}

// Difference returns the finding of a difference of an operation, nil
// when it is none.
func (j *Judgement) Difference(checkID string, d diff.Difference) *Finding {
	return j.find(func(f Finding) bool {
		return f.CheckID == checkID && f.Kind == d.Kind && f.Header == d.Header && f.Pointer == d.Pointer
	})
}

func (j *Judgement) find(ok func(Finding) bool) *Finding {
	if j == nil {
		return nil
	}
	for i := range j.Findings {
		if ok(j.Findings[i]) {
			return &j.Findings[i]
		}
	}
	return nil
}

// RunOptions say how a run is judged.
type RunOptions struct {
	// Now decides which entries have expired.
	Now time.Time
	// FailOnUnexercised makes a check that did not exercise its
	// operation a finding (smoke run --fail-on unexercised).
	FailOnUnexercised bool
}

// observation is something a result or a difference showed, matched
// against entries whether or not it fails at the configured level: an
// entry for a non-exercised check is not stale just because this run
// does not fail on it.
type observation struct {
	f     Finding
	fails bool
}

// JudgeRun judges run results through the baseline f (nil: an empty
// baseline). A finding is each distinct failed assertion of a failed
// check, and, with FailOnUnexercised, each check that answered without
// exercising its operation. Errored and skipped checks are no findings:
// they make a run incomplete, which no baseline accepts.
func JudgeRun(f *File, results []runner.Result, opts RunOptions) *Judgement {
	if f == nil {
		f = &File{}
	}
	var obs []observation
	var checked []Finding // the operations that answered
	for _, r := range results {
		base := Finding{CheckID: r.CheckID, Method: r.Method, Path: r.Path, OperationID: r.OperationID}
		if r.Outcome == runner.Passed || r.Outcome == runner.Failed {
			checked = append(checked, base)
		}
		if r.Outcome == runner.Failed {
			seen := map[string]bool{}
			for _, fl := range r.Failures {
				if seen[fl.Check] {
					continue
				}
				seen[fl.Check] = true
				x := base
				x.Assertion, x.Message = fl.Check, fl.Message
				obs = append(obs, observation{f: x, fails: true})
			}
		}
		if (r.Outcome == runner.Passed || r.Outcome == runner.Failed) && !r.Exercised && r.Reason != "" && r.Reason != runner.ReasonNoAnswer {
			x := base
			x.NotExercised = r.Reason
			x.Message = fmt.Sprintf("status %d", r.StatusCode)
			if r.Snippet != "" {
				x.Message += ": " + r.Snippet
			}
			obs = append(obs, observation{f: x, fails: opts.FailOnUnexercised})
		}
	}
	entries := make([]Entry, len(f.Run))
	names := make([]string, len(f.Run))
	for i, e := range f.Run {
		entries[i], names[i] = e.Entry, e.String()
	}
	// Results are matched by the entry's own rule: a check or operation,
	// and the same assertion or reason.
	ix := newIndex(len(f.Run), func(i int) (generator.Selector, string) { return f.Run[i].Operation, f.Run[i].Check })
	return judge(f.Path, entries, names, obs, opts.Now, ix, checked, func(i int, x Finding, opOnly bool) bool {
		e := f.Run[i]
		if !opOnly && (e.Assertion != x.Assertion || e.NotExercised != x.NotExercised) {
			return false
		}
		return e.matches(x.CheckID, x.Method, x.Path, x.OperationID)
	})
}

// JudgeDiff judges a diff report through the baseline f (nil: an empty
// baseline). A finding is each difference that fails at level, as
// diff.Report.Findings decides: a regression difference of an operation
// whose verdict is regression; with FailOnAny, any difference no rule
// silenced. Operations that could not be sampled are no findings: they
// make a diff incomplete.
func JudgeDiff(f *File, rep *diff.Report, level diff.FailOn, now time.Time) *Judgement {
	if f == nil {
		f = &File{}
	}
	var obs []observation
	var checked []Finding // the operations sampled on both sides
	for _, op := range rep.Operations {
		if op.Verdict == diff.Error {
			continue
		}
		checked = append(checked, Finding{CheckID: op.CheckID, Method: op.Method, Path: op.Path, OperationID: op.OperationID})
		for _, d := range op.Differences {
			if d.Class == diff.ClassIgnored || d.Class == diff.ClassExpected {
				continue
			}
			x := Finding{CheckID: op.CheckID, Method: op.Method, Path: op.Path, OperationID: op.OperationID,
				Kind: d.Kind, Pointer: d.Pointer, Template: d.Template, Header: d.Header, Message: differenceMessage(d)}
			fails := (op.Verdict == diff.Regression && d.Class == diff.ClassRegression) || level == diff.FailOnAny
			obs = append(obs, observation{f: x, fails: fails})
		}
	}
	entries := make([]Entry, len(f.Diff))
	names := make([]string, len(f.Diff))
	for i, e := range f.Diff {
		entries[i], names[i] = e.Entry, e.String()
	}
	ix := newIndex(len(f.Diff), func(i int) (generator.Selector, string) { return generator.Selector(f.Diff[i].Operation), "" })
	return judge(f.Path, entries, names, obs, now, ix, checked, func(i int, x Finding, opOnly bool) bool {
		m := f.Diff[i].matcher
		if opOnly {
			return m.MatchOperation(x.Method, x.Path, x.OperationID)
		}
		op := diff.Operation{CheckID: x.CheckID, Method: x.Method, Path: x.Path, OperationID: x.OperationID}
		return m.Match(op, diff.Difference{Kind: x.Kind, Pointer: x.Pointer, Header: x.Header})
	})
}

// judge matches observations with entries. A finding takes the first
// reviewed entry that has not expired, else the first expired one, else
// the first unreviewed one; every entry that matched an observation is
// in use. Of the others, those that name an operation of checked are
// stale, the rest unchecked. match(i, x, false) tells whether entry i
// names finding x; match(i, x, true) whether it names x's operation.
func judge(file string, entries []Entry, names []string, obs []observation, now time.Time, ix index, checked []Finding,
	match func(i int, x Finding, opOnly bool) bool) *Judgement {
	j := &Judgement{File: file, Findings: []Finding{}, Stale: []Stale{}}
	used := make([]bool, len(entries))
	for _, o := range obs {
		best, rank := -1, 3
		for _, i := range ix.of(o.f) {
			e := entries[i]
			if !match(i, o.f, false) {
				continue
			}
			used[i] = true
			r := 2 // unreviewed
			switch {
			case e.reviewed() && !e.Expired(now):
				r = 0
			case e.reviewed():
				r = 1
			}
			if r < rank {
				best, rank = i, r
			}
		}
		if !o.fails {
			continue
		}
		x := o.f
		x.Status = New
		if best >= 0 {
			e := entries[best]
			x.Entry = &e
			switch rank {
			case 0:
				x.Status = Accepted
			case 1:
				x.Status = Expired
			}
		}
		j.Findings = append(j.Findings, x)
		switch x.Status {
		case Accepted:
			j.Summary.Accepted++
		case Expired:
			j.Summary.Expired++
		default:
			j.Summary.New++
		}
	}
	seen := make([]bool, len(entries)) // names a checked operation
	for _, x := range checked {
		for _, i := range ix.of(x) {
			if !used[i] && !seen[i] && match(i, x, true) {
				seen[i] = true
			}
		}
	}
	for i, e := range entries {
		if used[i] {
			continue
		}
		j.Stale = append(j.Stale, Stale{Entry: e, Names: names[i], Expired: e.reviewed() && e.Expired(now), Checked: seen[i]})
		if seen[i] {
			j.Summary.Stale++
		} else {
			j.Summary.Unchecked++
		}
	}
	return j
}

// maxMessage bounds a finding's message, in runes.
const maxMessage = 200

// differenceMessage is `missing /tag: old "dog", new —`.
func differenceMessage(d diff.Difference) string {
	side := func(raw []byte) string {
		if len(raw) == 0 {
			return "—"
		}
		return string(raw)
	}
	where := string(d.Kind) + " " + d.Location()
	switch d.Kind {
	case diff.KindStatus:
		where = "status"
	case diff.KindLatency:
		where = "latency (median ms)"
	}
	return clip(fmt.Sprintf("%s: old %s, new %s", where, side(d.Old), side(d.New)), maxMessage)
}

// clip cuts s to n runes on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
