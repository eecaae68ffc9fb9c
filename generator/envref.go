package generator

import (
	"fmt"
	"regexp"
)

// Values in smoke.yaml (headers, credentials, base URLs) refer to
// environment variables as ${NAME}. The plan keeps the reference in
// Param.Template, so that a backend storing checks elsewhere (Datadog)
// refers to the variable instead of copying its value. This file is the
// one definition of that syntax.

// envRef matches ${NAME}. A dynamic placeholder (${now}, ${run}: see
// dynamic.go) is not an environment reference: those words are reserved.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// isPlaceholder reports whether m, a match of envRef, is a dynamic
// placeholder rather than an environment reference.
func isPlaceholder(m string) bool {
	_, n, ok := ParsePlaceholder(m)
	return ok && n == len(m)
}

// EnvRefs returns the variable names s refers to, in order.
func EnvRefs(s string) []string {
	var out []string
	for _, m := range envRef.FindAllStringSubmatch(s, -1) {
		if !isPlaceholder(m[0]) {
			out = append(out, m[1])
		}
	}
	return out
}

// ReplaceEnvRefs replaces every ${NAME} of s with repl(NAME), leaving
// dynamic placeholders as they are.
func ReplaceEnvRefs(s string, repl func(name string) string) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		if isPlaceholder(m) {
			return m
		}
		return repl(m[2 : len(m)-1])
	})
}

// Expanded is a configured value with its ${NAME} references resolved.
type Expanded struct {
	Value string
	// Template is the value as written.
	Template string
	// Env lists the variables the value refers to, in order.
	Env []string
}

// ExpandEnv resolves the ${NAME} references of s with getenv. It fails
// naming the first referenced variable that is unset or empty; the
// returned value then has that reference replaced by "".
func ExpandEnv(s string, getenv func(string) string) (Expanded, error) {
	out := Expanded{Template: s}
	var missing string
	out.Value = ReplaceEnvRefs(s, func(name string) string {
		out.Env = append(out.Env, name)
		v := getenv(name)
		if v == "" && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return out, fmt.Errorf("environment variable %s is not set", missing)
	}
	return out, nil
}
