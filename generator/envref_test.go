package generator

import (
	"slices"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"TOKEN": "t0k", "USER": "ann"}
	getenv := func(k string) string { return env[k] }
	x, err := ExpandEnv("Bearer ${TOKEN} for ${USER}", getenv)
	if err != nil || x.Value != "Bearer t0k for ann" || x.Template != "Bearer ${TOKEN} for ${USER}" || !slices.Equal(x.Env, []string{"TOKEN", "USER"}) {
		t.Errorf("ExpandEnv = %+v, %v", x, err)
	}
	if _, err := ExpandEnv("${MISSING}x${TOKEN}", getenv); err == nil || err.Error() != "environment variable MISSING is not set" {
		t.Errorf("ExpandEnv(missing) error = %v", err)
	}
	if x, err := ExpandEnv("plain $HOME {X} ${1BAD}", getenv); err != nil || x.Value != "plain $HOME {X} ${1BAD}" || len(x.Env) != 0 {
		t.Errorf("ExpandEnv(no refs) = %+v, %v", x, err)
	}
	if got := EnvRefs("${A}:${B_2}"); !slices.Equal(got, []string{"A", "B_2"}) {
		t.Errorf("EnvRefs = %q", got)
	}
	// Dynamic placeholders are reserved words, never environment names.
	if x, err := ExpandEnv("${now}/${run}/${uuid}/${TOKEN}", getenv); err != nil || x.Value != "${now}/${run}/${uuid}/t0k" || !slices.Equal(x.Env, []string{"TOKEN"}) {
		t.Errorf("ExpandEnv(placeholders) = %+v, %v", x, err)
	}
}
