package diff

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestCompareMasksEncodedSecrets reproduces issue 9 on the diff side: a
// query key shows URL-encoded and JSON-escaped in the bodies a service
// echoes, and every example must mask it in each form.
func TestCompareMasksEncodedSecrets(t *testing.T) {
	const key, token = "QKEY+SECRET/222==", `tok"en\with-quote`
	c := testCheck(t, "")
	c.Request.Query = []generator.Param{{Name: "api_key", Value: key, Source: generator.SourceSecret, Secret: true}}
	echo := func(n string) string {
		b, _ := json.Marshal(map[string]string{ // strings always marshal
			"url": "/things?api_key=" + url.QueryEscape(key) + "&n=" + n, "raw": key + n, "tok": token + n,
			"escaped": `{"t":` + strings.ReplaceAll(mustJSON(token), "/", `\/`) + "}" + n,
		})
		return string(b)
	}
	old := same(2, resp(200, echo("1"), "X-Api-Key", key, "Set-Cookie", "session=abc; Path=/"))
	new := same(2, resp(200, echo("2"), "X-Api-Key", key+"-new", "Set-Cookie", "theme=dark"))
	rep, err := Compare([]Samples{{Check: c, Old: old, New: new}}, Options{Rounds: 1, Secrets: []string{token}})
	if err != nil {
		t.Fatal(err)
	}
	out := mustMarshal(t, rep)
	for _, leak := range []string{"SECRET", "with-quote"} {
		if strings.Contains(out, leak) {
			t.Errorf("report shows %q:\n%s", leak, out)
		}
	}
	// The names of the cookies set are compared and shown: they are not
	// secret.
	if !strings.Contains(out, `"theme"`) || !strings.Contains(out, `"session"`) {
		t.Errorf("report lacks the Set-Cookie names:\n%s", out)
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// TestExampleMasksBeforeCut checks that an example is masked before it is
// cut to maxExampleBytes, and stays valid JSON when a secret matched
// across JSON syntax.
func TestExampleMasksBeforeCut(t *testing.T) {
	secret := "SECRET-" + strings.Repeat("s", 40)
	m := generator.NewMasker(secret, "12345678")
	v := map[string]any{"a": strings.Repeat("x", maxExampleBytes-20) + secret + strings.Repeat("y", 100)}
	got := example(v, m)
	if strings.Contains(string(got), "SECRET") || strings.Contains(string(got), "sssss") {
		t.Errorf("example() = %.200s…, shows part of the secret", got[len(got)-200:])
	}
	if !json.Valid(got) {
		t.Errorf("example() = %s, not valid JSON", got)
	}
	n := example(map[string]any{"pin": 123456789}, m)
	if !json.Valid(n) || strings.Contains(string(n), "12345678") {
		t.Errorf("example() of a number holding a secret = %s, want valid JSON without it", n)
	}
}
