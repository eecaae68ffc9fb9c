package runner

import (
	"time"

	"github.com/smoke-dev/smoke/generator"
)

// render returns c ready to send: a request the plan marks dynamic gets
// its placeholders (${now+1h}, ${run}) rendered with the send time and
// the run token; any other check is returned as it is, at no cost.
func (r *Runner) render(c generator.Check) generator.Check {
	if !c.Request.Dynamic {
		return c
	}
	return c.Rendered(generator.Vars{Now: r.now(), Run: r.runToken})
}

// RunToken returns the token ${run} renders to for this Runner.
func (r *Runner) RunToken() string { return r.runToken }

func (r *Runner) now() time.Time {
	if r.opts.Now != nil {
		return r.opts.Now()
	}
	return time.Now()
}
