package synthetics

import (
	"fmt"

	"github.com/smoke-dev/smoke/generator"
)

// schedule is Options.Schedule with its matchers built.
type schedule []scheduleRule

type scheduleRule struct {
	filter generator.Filter
	rule   Schedule
}

// compileSchedule builds the matchers of the rules; they use
// generator's filter, so a rule selects checks exactly as --include
// does.
func compileSchedule(rules []Schedule) (schedule, error) {
	out := make(schedule, 0, len(rules))
	for i, r := range rules {
		f, err := generator.NewFilter(r.Match, nil, false)
		if err != nil {
			return nil, fmt.Errorf("schedule rule %d: %w", i+1, err)
		}
		out = append(out, scheduleRule{filter: f, rule: r})
	}
	return out, nil
}

// forCheck returns the first rule matching c, or the zero Schedule.
func (s schedule) forCheck(c generator.Check) Schedule {
	for _, r := range s {
		if r.filter.Match(c) {
			return r.rule
		}
	}
	return Schedule{}
}

// CheckSchedule checks the match patterns of a schedule rule.
func CheckSchedule(r Schedule) error {
	if _, err := compileSchedule([]Schedule{r}); err != nil {
		return err
	}
	if !r.CIOnly {
		return CheckTickEvery(r.TickEvery)
	}
	return nil
}
