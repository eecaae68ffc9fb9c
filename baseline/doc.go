// Package baseline reads, judges and writes baselines: reviewed files of
// findings a team accepts for a while, each with a reason and an expiry
// date.
//
// # Overview
//
// A baseline lists findings of smoke run (a check that fails an
// assertion, or does not exercise its operation) and of smoke diff (a
// difference between OLD and NEW). With a baseline, a finding the file
// names is accepted instead of failing; a finding it does not name fails
// as before; a finding whose entry has expired fails again, with the
// entry's reason; an entry that names nothing any more is stale.
//
// Entries name findings with the identities the rest of smoke uses:
// operations as generator.Selector does (the selectors of diff's rules),
// differences as diff.Selector does (operation, pointer template, header,
// kind: the identity of diff's rules). A baseline entry and a rule that
// name the same difference match the same differences.
//
// # Usage
//
//	f, err := baseline.Load("smoke-baseline.yaml", baseline.LoadOptions{})
//	j := baseline.JudgeRun(f, results, baseline.RunOptions{Now: time.Now()})
//	if j.Fails() { ... } // a new or expired finding
//
//	// Record today's findings for review (reasons left empty):
//	out, added, err := baseline.Merge(name, data, j, baseline.DefaultExpiry(now))
//
// The package promises no API: it exists for smoke's own commands.
package baseline
