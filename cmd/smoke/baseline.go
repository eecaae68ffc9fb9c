package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smoke-dev/smoke/baseline"
	"github.com/smoke-dev/smoke/report"
)

// Baselines (--baseline FILE, run.baseline and diff.baseline in
// smoke.yaml) accept reviewed findings until they expire; see package
// baseline. The file is resolved and loaded with the other settings,
// before anything is sent: a baseline that cannot be used (an empty
// reason, an unknown assertion) is a usage error naming file:line.

// baselineOptions are the baseline flags of run and diff.
type baselineOptions struct {
	File  string
	Write bool
}

func addBaselineFlags(cmd *cobra.Command, o *baselineOptions, section string) {
	f := cmd.Flags()
	f.StringVar(&o.File, "baseline", "", "accept the findings FILE lists (reviewed, each with a reason and an expiry date) instead of failing on them ("+section+".baseline in smoke.yaml)")
	f.BoolVar(&o.Write, "write-baseline", false, "add today's findings that --baseline FILE does not list yet to it, with an empty reason to fill in (the exit code is unchanged)")
}

// baselineSettings are the resolved baseline flags. A zero value means
// no baseline.
type baselineSettings struct {
	path  string
	write bool
	// file is the loaded baseline: empty when --write-baseline creates
	// it.
	file *baseline.File
}

// on reports whether a baseline is in use.
func (b baselineSettings) on() bool { return b.path != "" }

// resolveBaseline resolves --baseline over smoke.yaml's key (run.baseline
// or diff.baseline, relative to smoke.yaml) and loads the file. With
// --write-baseline the file may be missing (it is created) and its
// entries may still lack their reason (it is being written).
func resolveBaseline(s sources, o baselineOptions, key, fileV string) (baselineSettings, error) {
	path, from := pick(s, "baseline", o.File, key, fileV)
	if from.where != "" && path != "" && !filepath.IsAbs(path) && s.cfg.File != "" {
		path = filepath.Join(filepath.Dir(s.cfg.File), path)
	}
	bs := baselineSettings{path: path, write: o.Write}
	if path == "" {
		if o.Write {
			return bs, &flagError{usageErrf("--write-baseline needs the file to write: --baseline FILE (or baseline: in smoke.yaml's %s section)", strings.SplitN(key, ".", 2)[0])}
		}
		return bs, nil
	}
	f, err := baseline.Load(path, baseline.LoadOptions{AllowUnreviewed: o.Write})
	switch {
	case errors.Is(err, fs.ErrNotExist) && o.Write:
		if err := checkOutput("--baseline", path); err != nil {
			return bs, err
		}
		bs.file = &baseline.File{Path: path}
		return bs, nil
	case errors.Is(err, fs.ErrNotExist):
		return bs, withHint(from.invalid(path, "no such file"), "Record today's findings with --write-baseline, review them, then pass --baseline.")
	case err != nil:
		if be, ok := errors.AsType[*baseline.Error](err); ok {
			if be.Unreviewed {
				return bs, withHint(usageErr(err), fmt.Sprintf("Fill in every reason in %s (why the finding is accepted, and check its expires date): --write-baseline leaves them empty for review.", path))
			}
			return bs, usageErr(err)
		}
		return bs, from.wrap(unwrapPathErr(err))
	}
	if o.Write {
		if err := checkOutput("--baseline", path); err != nil {
			return bs, err
		}
	}
	bs.file = f
	return bs, nil
}

// warnBaseline tells stderr what a baseline did besides accepting:
// entries that have expired (their findings fail again) and entries that
// matched nothing (stale). The reports say it too; stderr says it where a
// CI log shows it when the report goes to a file.
func warnBaseline(env *Env, j *baseline.Judgement) {
	if j == nil {
		return
	}
	done := map[string]bool{}
	for _, f := range j.Findings {
		if f.Status != baseline.Expired || done[f.Entry.Where()] {
			continue
		}
		done[f.Entry.Where()] = true
		fmt.Fprintf(env.Stderr, "smoke: %s: baseline entry expired on %s, %s %s fails again (accepted because: %s)\n",
			report.EscapeTerminal(f.Entry.Where()), f.Entry.Expires, report.EscapeTerminal(f.Operation()), report.EscapeTerminal(f.What()),
			report.EscapeTerminal(oneLineText(f.Entry.Reason)))
	}
	for _, s := range j.Stale {
		expired := ""
		if s.Expired {
			expired = ", and expired on " + s.Expires.String()
		}
		if !s.Checked {
			fmt.Fprintf(env.Stderr, "smoke: warning: %s: baseline entry %s names no operation that was checked%s (filtered out, skipped, without an answer, or not in the spec)\n",
				report.EscapeTerminal(s.Where()), report.EscapeTerminal(s.Names), expired)
			continue
		}
		fmt.Fprintf(env.Stderr, "smoke: warning: %s: baseline entry %s matched no finding%s: stale, delete it\n",
			report.EscapeTerminal(s.Where()), report.EscapeTerminal(s.Names), expired)
	}
}

// oneLineText joins the lines of s.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeBaseline adds the findings of a run or diff that the baseline
// does not list yet to its file: read again (it may have been edited
// while smoke ran), judged again by judge, merged and written through
// writeOutput (atomic, keeping mode and owner). It says on stderr what
// it did.
func writeBaseline(env *Env, bs baselineSettings, section baseline.Section, judge func(*baseline.File) *baseline.Judgement) error {
	data, err := os.ReadFile(bs.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("baseline %s: %w", bs.path, unwrapPathErr(err))
	}
	existed := err == nil
	f, err := baseline.Parse(bs.path, data, baseline.LoadOptions{AllowUnreviewed: true})
	if err != nil {
		return usageErr(fmt.Errorf("baseline changed while smoke ran: %w", err))
	}
	expires := baseline.DefaultExpiry(env.Now())
	out, added, err := baseline.Merge(bs.path, data, section, judge(f), expires)
	if err != nil {
		return usageErr(err)
	}
	if existed && len(added) == 0 {
		fmt.Fprintf(env.Stderr, "smoke: baseline %s lists every finding already: nothing to add\n", report.EscapeTerminal(bs.path))
		return nil
	}
	if err := writeOutput(env, bs.path, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	}); err != nil {
		return err
	}
	if len(added) == 0 {
		fmt.Fprintf(env.Stderr, "smoke: baseline %s written: no finding to record\n", report.EscapeTerminal(bs.path))
		return nil
	}
	fmt.Fprintf(env.Stderr, "smoke: baseline %s: %s added with an empty reason, expiring %s: fill in each reason, then run with --baseline %s\n",
		report.EscapeTerminal(bs.path), plural(len(added), "entry", "entries"), expires, report.EscapeTerminal(bs.path))
	return nil
}
