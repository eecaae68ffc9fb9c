package synthetics

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// variableNameRe is the pattern of a Datadog variable name
// (terraform-provider-datadog: resource_datadog_synthetics_global_variable.go
// and the config_variable block of resource_datadog_synthetics_test_.go).
var variableNameRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]+[A-Z0-9]$`)

// ErrVariableName means an environment variable maps to a name Datadog
// refuses, or two map to the same name.
var ErrVariableName = errors.New("no valid Datadog variable name")

// CheckVariableName checks a Datadog global variable name.
func CheckVariableName(name string) error {
	if !variableNameRe.MatchString(name) {
		return fmt.Errorf("%w: %q must be upper-case letters, digits and underscores, start with a letter, not end with an underscore, at least 3 characters (%s)",
			ErrVariableName, name, variableNameRe)
	}
	return nil
}

// VariableName returns the Datadog global variable name smoke uses for
// the environment variable env. The mapping is deterministic:
//
//  1. letters are upper-cased and any other character than A-Z, 0-9 and
//     _ becomes _;
//  2. everything before the first letter is dropped (${_tok} → TOK);
//  3. trailing underscores are dropped (${TOK_} → TOK);
//  4. a name still shorter than 3 characters gets the prefix SMOKE_
//     (${PW} → SMOKE_PW).
//
// An env without a letter maps to nothing: it is an error.
func VariableName(env string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(env) {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case b.Len() == 0:
			// Nothing before the first letter.
		case r >= '0' && r <= '9' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.TrimRight(b.String(), "_")
	if name == "" {
		return "", fmt.Errorf("%w: $%s has no letter to start a Datadog variable name (map it in datadog.variables)", ErrVariableName, env)
	}
	if len(name) < 3 {
		name = "SMOKE_" + name
	}
	return name, nil
}

// variableNames maps environment variables to Datadog global variable
// names for one Map call, refusing two variables that would share a
// name.
type variableNames struct {
	explicit map[string]string // env -> name, from Options.Variables
	byName   map[string]string // Datadog name -> env
}

func newVariableNames(explicit map[string]string) *variableNames {
	return &variableNames{explicit: explicit, byName: map[string]string{}}
}

// name returns the Datadog name for env.
func (v *variableNames) name(env string) (string, error) {
	name, ok := v.explicit[env]
	if ok && name != "" {
		if err := CheckVariableName(name); err != nil {
			return "", fmt.Errorf("variable $%s: %w", env, err)
		}
	} else {
		var err error
		if name, err = VariableName(env); err != nil {
			return "", err
		}
	}
	if other, taken := v.byName[name]; taken && other != env {
		pair := []string{other, env}
		slices.Sort(pair)
		return "", fmt.Errorf("%w: $%s and $%s both map to the Datadog global variable %s; rename one or map them in datadog.variables",
			ErrVariableName, pair[0], pair[1], name)
	}
	v.byName[name] = env
	return name, nil
}
