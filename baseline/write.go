package baseline

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/smoke-dev/smoke/generator"
)

// Section is the part of a baseline a command reads and writes.
type Section string

// Sections of a baseline file.
const (
	SectionRun  Section = sectionRun
	SectionDiff Section = sectionDiff
)

// header starts a baseline that --write-baseline creates.
const header = `# smoke baseline: findings accepted for now. smoke run and smoke diff
# --baseline FILE report a finding listed here as accepted instead of
# failing, until the day after its expires date; then it fails again, with
# its reason. Every entry needs a reason: --write-baseline leaves it empty,
# and the file is refused until a reviewer fills it in. An entry that
# matches nothing any more is reported as stale: delete it.
`

// Merge returns data, a baseline file (empty for a new one), with an entry
// added to section for every finding of j that no entry names yet: an
// empty reason for a reviewer to fill in, and expires. Entries that name
// the same thing are added once. What data holds is kept byte for byte
// (entries, reasons, comments, order): new entries are inserted at the end
// of the section, or a section is appended. added lists the findings
// that got an entry.
//
// The result is parsed again before it is returned: Merge never returns
// a file that Load would refuse for anything but the empty reasons.
func Merge(name string, data []byte, section Section, j *Judgement, expires Date) (out []byte, added []Finding, err error) {
	before, root, err := parse(name, data, LoadOptions{AllowUnreviewed: true})
	if err != nil {
		return nil, nil, err
	}
	var blocks []string
	seen := map[string]bool{}
	for _, f := range j.Findings {
		if f.Entry != nil {
			continue
		}
		key := identity(section, f)
		if seen[key] {
			continue
		}
		seen[key] = true
		added = append(added, f)
		blocks = append(blocks, renderEntry(section, f, expires))
	}
	if len(added) == 0 {
		if len(bytes.TrimSpace(data)) == 0 {
			return []byte(header + "\n" + string(section) + ":\n"), nil, nil
		}
		return data, nil, nil
	}
	out, err = insert(name, data, root, section, blocks)
	if err != nil {
		return nil, nil, err
	}
	after, err := Parse(name, out, LoadOptions{AllowUnreviewed: true})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: merging the new entries would break the file (%v): add them by hand", name, err)
	}
	if len(after.Run)+len(after.Diff) != len(before.Run)+len(before.Diff)+len(added) {
		return nil, nil, fmt.Errorf("%s: merging the new entries did not add them as expected: add them by hand", name)
	}
	return out, added, nil
}

// identity is what an entry written for f names.
func identity(section Section, f Finding) string {
	if section == SectionRun {
		return strings.Join([]string{f.Method, f.Path, f.Assertion, string(f.NotExercised)}, "\x00")
	}
	return strings.Join([]string{f.Method, f.Path, string(f.Kind), f.Template, strings.ToLower(f.Header)}, "\x00")
}

// renderEntry writes the entry for f, its lines without indentation: a
// comment with what was found, then the keys.
func renderEntry(section Section, f Finding, expires Date) string {
	var b strings.Builder
	what := f.What() + ": " + f.Message // "not_server_error: status 500 ..."
	if section == SectionDiff {
		what = f.Message // "missing /tag: old "dog", new —"
	}
	fmt.Fprintf(&b, "# %s\n", comment(f.Operation()+": "+what))
	kv := func(first bool, k, v string) {
		if !first {
			b.WriteString("  ")
		} else {
			b.WriteString("- ")
		}
		fmt.Fprintf(&b, "%s: %s\n", k, scalar(v))
	}
	kv(true, "operation", generator.OperationKey(f.Operation()))
	if section == SectionRun {
		if f.Assertion != "" {
			kv(false, "assertion", f.Assertion)
		} else {
			kv(false, "not_exercised", string(f.NotExercised))
		}
	} else {
		switch {
		case f.Header != "":
			kv(false, "header", f.Header)
		case f.Template != "":
			kv(false, "pointer", f.Template)
		}
		kv(false, "kind", string(f.Kind))
	}
	b.WriteString(`  reason: ""` + "\n")
	fmt.Fprintf(&b, "  expires: %s\n", expires)
	return b.String()
}

// scalar renders s as a YAML scalar, quoted when it must be.
func scalar(s string) string {
	if plainSafe(s) {
		return s
	}
	out, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s) // a string always marshals; JSON quoting is valid YAML
	}
	v := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(v, "\n") {
		return fmt.Sprintf("%q", s)
	}
	return v
}

// plainSafe reports whether s reads back as the same string written
// plain: letters, digits and "_./{}*~-" (a space between words), starting
// with a letter or "/", and not a word YAML reads as a boolean or null.
// Operations, pointers, assertion names, kinds and reasons are; anything
// else is quoted by the encoder.
func plainSafe(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '/') || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !('0' <= c && c <= '9') && !strings.ContainsRune("_./{}*~- ", rune(c)) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~":
		return false
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// comment makes s safe on one comment line: no control characters (YAML
// refuses most of them), at most maxMessage runes.
func comment(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\uFEFF' {
			return ' '
		}
		return r
	}, s)
	return clip(s, maxMessage)
}

// insert adds the entry blocks to section of data, keeping every byte of
// data.
func insert(name string, data []byte, root *yaml.Node, section Section, blocks []string) ([]byte, error) {
	lines := splitLines(string(data))
	indented := func(dash int) string {
		var b strings.Builder
		pad := strings.Repeat(" ", dash)
		for _, blk := range blocks {
			for l := range strings.SplitSeq(strings.TrimSuffix(blk, "\n"), "\n") {
				b.WriteString(pad + l + "\n")
			}
		}
		return b.String()
	}
	var key, val *yaml.Node
	next := 0 // line of the top-level key after section, 0 when none
	if root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if key != nil && next == 0 {
				next = root.Content[i].Line
			}
			if root.Content[i].Value == string(section) {
				key, val = root.Content[i], resolve(root.Content[i+1])
			}
		}
	}
	text := string(data)
	switch {
	case len(strings.TrimSpace(text)) == 0:
		return []byte(header + "\n" + string(section) + ":\n" + indented(2)), nil
	case key == nil:
		// A new section at the end.
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		return []byte(text + "\n" + string(section) + ":\n" + indented(2)), nil
	case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle == 0 && len(val.Content) > 0:
		// After the section's last line: before the next top-level key
		// and the blank lines and top-level comments above it.
		end := len(lines)
		if next > 0 {
			end = next - 1
		}
		for end > key.Line && topLevelFiller(lines[end-1]) {
			end--
		}
		return []byte(join(lines[:end]) + indented(val.Column-1) + join(lines[end:])), nil
	case val.Kind == yaml.SequenceNode && len(val.Content) > 0:
		return nil, &Error{File: name, Line: val.Line, Msg: fmt.Sprintf("%s: a flow list ([...]) cannot be merged into: write it as a block list (one \"- \" entry per line)", section)}
	case val.Kind == yaml.SequenceNode || val.Kind == yaml.ScalarNode && val.Tag == "!!null":
		// "run:", "run: ~" or "run: []": the key line becomes "run:"
		// (its comment kept), the entries follow it.
		i := key.Line - 1
		l := strings.Repeat(" ", key.Column-1) + string(section) + ":"
		if c := strings.TrimSpace(key.LineComment + " " + val.LineComment); c != "" {
			l += " " + c
		}
		if i+1 < len(lines) {
			return []byte(join(lines[:i]) + l + "\n" + indented(key.Column+1) + join(lines[i+1:])), nil
		}
		return []byte(join(lines[:i]) + l + "\n" + indented(key.Column+1)), nil
	}
	return nil, &Error{File: name, Line: val.Line, Msg: fmt.Sprintf("%s: want a list of entries", section)}
}

// splitLines splits s into lines that keep their "\n".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func join(lines []string) string {
	s := strings.Join(lines, "")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// topLevelFiller reports whether a line is blank or a comment at the left
// margin: between two top-level keys, such lines belong to the next one.
func topLevelFiller(l string) bool {
	t := strings.TrimRight(l, "\r\n")
	return strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#")
}
