package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// extraReport is one --report FORMAT=FILE: a report written besides the
// main output, from the same run, so that a CI step gets its Markdown
// summary, JSON and JUnit without sending anything twice.
type extraReport struct {
	format string
	file   string
}

// addReportFlag adds the repeatable --report flag to cmd.
func addReportFlag(cmd *cobra.Command, dst *[]string, formats []string) {
	cmd.Flags().StringArrayVar(dst, "report", nil,
		"also write the report as FORMAT to FILE, e.g. junit=smoke.xml ("+strings.Join(formats, ", ")+"; repeatable)")
}

// resolveReports checks every --report before anything is sent: a known
// format, a file whose directory exists, no file named twice (the main
// --output included).
func resolveReports(raw []string, formats []string, output string) ([]extraReport, error) {
	var out []extraReport
	seen := map[string]bool{}
	if output != "" && output != "-" {
		seen[filepath.Clean(output)] = true
	}
	for _, r := range raw {
		format, file, ok := strings.Cut(r, "=")
		format, file = strings.TrimSpace(format), strings.TrimSpace(file)
		from := flagOrigin("report")
		switch {
		case !ok || file == "":
			return nil, from.invalid(fmt.Sprintf("%q", r), "want FORMAT=FILE, e.g. junit=smoke.xml")
		case !slices.Contains(formats, format):
			return nil, from.invalid(fmt.Sprintf("%q", r), "format %q: want one of %s", format, strings.Join(formats, ", "))
		case file == "-":
			return nil, from.invalid(fmt.Sprintf("%q", r), "a file, not stdout (stdout is --output's)")
		case seen[filepath.Clean(file)]:
			return nil, from.invalid(fmt.Sprintf("%q", r), "%s is written twice", file)
		}
		if fi, err := os.Stat(filepath.Dir(file)); err != nil {
			return nil, from.invalid(fmt.Sprintf("%q", r), "%v", unwrapPathErr(err))
		} else if !fi.IsDir() {
			return nil, from.invalid(fmt.Sprintf("%q", r), "%s is not a directory", filepath.Dir(file))
		}
		if fi, err := os.Stat(file); err == nil && fi.IsDir() {
			return nil, from.invalid(fmt.Sprintf("%q", r), "%s is a directory", file)
		}
		seen[filepath.Clean(file)] = true
		out = append(out, extraReport{format: format, file: file})
	}
	return out, nil
}

// writeReports writes each extra report with write(w, format), without
// colour, atomically like --output.
func writeReports(env *Env, reports []extraReport, write func(w io.Writer, format string) error) error {
	for _, r := range reports {
		if err := writeOutput(env, r.file, func(w io.Writer) error { return write(w, r.format) }); err != nil {
			return err
		}
	}
	return nil
}

// writeAll writes a command's report: the main one in format to output
// (stdout when empty or "-"), in colour when it is text on a terminal
// that wants it, then every --report, never in colour.
func writeAll(env *Env, format, output string, reports []extraReport, write func(w io.Writer, format string, color bool) error) error {
	color := format == "text" && (output == "" || output == "-") && env.Color(env.StdoutTTY)
	if err := writeOutput(env, output, func(w io.Writer) error { return write(w, format, color) }); err != nil {
		return err
	}
	return writeReports(env, reports, func(w io.Writer, format string) error { return write(w, format, false) })
}
