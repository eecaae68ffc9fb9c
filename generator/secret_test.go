package generator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestIsCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
		"X-Api-Key": true, "api_key": true, "apiKey": true, "APIKEY": true, "key": true, "X-Auth-Token": true,
		"access_token": true, "accessToken": true, "Ocp-Apim-Subscription-Key": true, "client_secret": true,
		"clientSecret": true, "password": true, "db_password": true, "X-Session-Id": true, "sessionId": true,
		"X-Hub-Signature": true, "token": true, "auth": true, "jwt": true, "X-Functions-Key": true,
		"author": false, "keyword": false, "sort_key": false, "Idempotency-Key": false, "monkey": false,
		"Www-Authenticate": false, "Access-Control-Allow-Credentials": false, "X-Request-Id": false,
		"limit": false, "Content-Type": false, "tokenizer": false, "": false,
	} {
		if got := IsCredentialName(name); got != want {
			t.Errorf("IsCredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestParamIsSecret(t *testing.T) {
	tests := []struct {
		p    Param
		want bool
	}{
		{Param{Name: "X-Env", Value: "staging", Source: SourceConfig, Secret: true}, true},
		{Param{Name: "X-Api-Key", Value: "k-from-yaml", Source: SourceFixture}, true},
		{Param{Name: "X-Api-Key", Value: "k-from-yaml", Source: SourceConfig}, true},
		// A document's example and a generated value are public.
		{Param{Name: "X-Api-Key", Value: "special-key", Source: SourceExample}, false},
		{Param{Name: "token", Value: "string", Source: SourceGenerated}, false},
		{Param{Name: "limit", Value: "10", Source: SourceFixture}, false},
	}
	for _, tt := range tests {
		if got := tt.p.IsSecret(); got != tt.want {
			t.Errorf("%+v.IsSecret() = %v, want %v", tt.p, got, tt.want)
		}
	}
	b, err := json.Marshal(tests[1].p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "k-from-yaml") {
		t.Errorf("json.Marshal(%+v) = %s, shows the credential", tests[1].p, b)
	}
}

// TestSecretTemplateMasked checks that a credential written into
// smoke.yaml as it is does not show through the template of its param,
// while ${VAR} references do.
func TestSecretTemplateMasked(t *testing.T) {
	for _, p := range []Param{
		{Name: "X-Api-Key", Value: "literal-key-1", Template: "literal-key-1", Source: SourceConfig, Secret: true},
		{Name: "Authorization", Value: "Bearer literal-key-1", Template: "Bearer literal-key-1", Source: SourceSecret, Secret: true},
		{Name: "Authorization", Value: BasicAuth("ann", "literal-key-1"), Template: "${API_USER}:literal-key-1", Source: SourceSecret, Secret: true},
	} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "literal-key-1") {
			t.Errorf("json.Marshal(%+v) = %s, shows the credential", p, b)
		}
	}
	b, _ := json.Marshal(Param{Name: "Authorization", Value: "Bearer t0k3n-from-env", Template: "Bearer ${API_TOKEN}", Secret: true})
	if !strings.Contains(string(b), `"template":"Bearer ${API_TOKEN}"`) {
		t.Errorf("json.Marshal() = %s, want the template with its reference", b)
	}
}

func TestCheckSecretValues(t *testing.T) {
	c := Check{Request: Request{
		Query:   []Param{{Name: "api_key", Value: "QKEY+SECRET/222==", Source: SourceSecret, Secret: true}, {Name: "limit", Value: "1000"}},
		Headers: []Param{{Name: "Authorization", Value: BasicAuth("ann", "pa55word"), Source: SourceSecret, Secret: true}, {Name: "X-Env", Value: "staging"}},
		Cookies: []Param{{Name: "theme", Value: "dark-mode", Source: SourceFixture}, {Name: "c", Value: "example-cookie", Source: SourceExample}},
	}}
	got := strings.Join(c.SecretValues(), "\n")
	for _, want := range []string{"QKEY+SECRET/222==", "ann:pa55word", "pa55word", BasicAuth("ann", "pa55word"), "dark-mode"} {
		if !strings.Contains(got, want) {
			t.Errorf("SecretValues() lacks %q:\n%s", want, got)
		}
	}
	for _, public := range []string{"1000", "staging", "example-cookie"} {
		if strings.Contains(got, public) {
			t.Errorf("SecretValues() holds the public value %q:\n%s", public, got)
		}
	}
}

// secretForms are the forms a secret must be masked in, computed here
// from the standard library so the test pins the rule on its own.
func secretForms(v string) []string {
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v), lowerEscapes(url.QueryEscape(v)), lowerEscapes(url.PathEscape(v)), strconv.Quote(v)[1 : len(strconv.Quote(v))-1]}
	j, _ := json.Marshal(v)
	forms = append(forms, string(j[1:len(j)-1]), strings.ReplaceAll(string(j[1:len(j)-1]), "/", `\/`))
	forms = append(forms, strings.ReplaceAll(strings.ReplaceAll(v, "~", "~0"), "/", "~1")) // JSON pointer
	if strings.Contains(v, ":") {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(v)))
	}
	return forms
}

var escapeRE = regexp.MustCompile(`%[0-9A-F]{2}`)

// lowerEscapes writes the hex digits of %XX escapes in lower case.
func lowerEscapes(s string) string {
	return escapeRE.ReplaceAllStringFunc(s, strings.ToLower)
}

func TestMaskerEncodings(t *testing.T) {
	for _, secret := range []string{
		"QKEY+SECRET/222==", // issue 9: a query API key with +, / and =
		`tok"en\with"quotes`,
		"has space&amp;<tag>",
		"ann:pa55word",
		"ünïcode-tøken",
	} {
		m := NewMasker(secret)
		for _, form := range secretForms(secret) {
			text := fmt.Sprintf("before %s after", form)
			got := m.Mask(text)
			if strings.Contains(got, form) || !strings.Contains(got, Mask) {
				t.Errorf("NewMasker(%q).Mask(%q) = %q, want the form masked", secret, text, got)
			}
		}
	}
}

func TestMaskerLowerHex(t *testing.T) {
	m := NewMasker("QKEY+SECRET/222==")
	for _, in := range []string{"k=QKEY%2BSECRET%2F222%3D%3D", "k=QKEY%2bSECRET%2f222%3d%3d", "/v/QKEY+SECRET%2F222=="} {
		if got := m.Mask(in); strings.Contains(got, "SECRET") {
			t.Errorf("Mask(%q) = %q, want the key masked", in, got)
		}
	}
}

func TestMaskerShortAndNil(t *testing.T) {
	if m := NewMasker("abc", ""); m != nil {
		t.Errorf("NewMasker of values shorter than %d = %+v, want nil", MinSecretLen, m)
	}
	var m *Masker
	if got := m.Mask("abc abc"); got != "abc abc" {
		t.Errorf("nil Masker: Mask() = %q, want the text unchanged", got)
	}
	m = NewMasker("abcd")
	if got := m.With("abcd"); got != m {
		t.Error("With(a value already masked) returned a new Masker")
	}
	if got := m.With("efgh").Mask("abcd efgh"); got != Mask+" "+Mask {
		t.Errorf("With().Mask() = %q, want both masked", got)
	}
	if got := m.Mask("abcd efgh"); got != Mask+" efgh" {
		t.Errorf("With() changed its receiver: Mask() = %q", got)
	}
}

// TestMaskerLongestFirst checks that a token inside a longer secret does
// not leave the rest of the longer one behind.
func TestMaskerLongestFirst(t *testing.T) {
	m := NewMasker("t0k3n-value", "Bearer t0k3n-value")
	if got := m.Mask("h: Bearer t0k3n-value"); got != "h: "+Mask {
		t.Errorf("Mask() = %q, want %q", got, "h: "+Mask)
	}
}

// TestMaskerCut pins that masking comes before truncation: a secret
// straddling the cut is gone entirely, not half shown.
func TestMaskerCut(t *testing.T) {
	secret := "SECRET-0123456789"
	text := strings.Repeat("x", 10) + secret + strings.Repeat("y", 50)
	got := NewMasker(secret).Cut(text, 18)
	if strings.Contains(got, "SECRET") {
		t.Errorf("Cut() = %q, shows part of the secret", got)
	}
	if want := "xxxxxxxxxx" + Mask + "…"; got != want {
		t.Errorf("Cut() = %q, want %q", got, want)
	}
	if got, want := NewMasker(secret).Cut("abc"+secret+"def", 6), "abc"+Mask+"…"; got != want {
		t.Errorf("Cut() inside the mask = %q, want %q", got, want)
	}
	if got := (*Masker)(nil).Cut("é", 1); got != "…" {
		t.Errorf("Cut() in the middle of a rune = %q, want %q", got, "…")
	}
}

func TestUserinfo(t *testing.T) {
	tests := []struct {
		in, clean, auth string
		secrets         []string
	}{
		{"http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api", "", nil},
		{"https://ann:pa%40ss@host/v1", "https://host/v1", BasicAuth("ann", "pa@ss"), []string{"pa@ss", "ann:pa@ss", "ann:pa%40ss"}},
		{"https://ghp_token1234@host", "https://host", BasicAuth("ghp_token1234", ""), []string{"ghp_token1234"}},
	}
	for _, tt := range tests {
		clean, auth, secrets := Userinfo(tt.in)
		if clean != tt.clean || auth != tt.auth {
			t.Errorf("Userinfo(%q) = %q, %q, want %q, %q", tt.in, clean, auth, tt.clean, tt.auth)
		}
		for _, s := range tt.secrets {
			if !strings.Contains(strings.Join(secrets, "\n"), s) {
				t.Errorf("Userinfo(%q) secrets = %q, lack %q", tt.in, secrets, s)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://host/x":                  "http://host/x",
		"http://user:pass@host:80/x?q=1": "http://host:80/x?q=1",
		"http://user:pa%zzss@host/x":     "http://host/x", // does not parse
		"http://us@er:p@ss@host/x":       "http://host/x",
		"not a url":                      "not a url",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMasker checks the masking rule on any secret and surrounding text:
// no form of the secret survives. Secrets with "*" are left out: the mask
// itself is made of them.
func FuzzMasker(f *testing.F) {
	for _, s := range []string{"QKEY+SECRET/222==", `a"b\c`, "user:pass", "t\u00f6ken\x00\xff", "<&>'"} {
		f.Add(s, "x", "y")
	}
	f.Fuzz(func(t *testing.T, secret, before, after string) {
		if len(secret) < MinSecretLen || strings.Contains(secret, "*") {
			t.Skip()
		}
		m := NewMasker(secret)
		for _, form := range secretForms(secret) {
			got := m.Mask(before + form + after)
			for _, f := range secretForms(secret) {
				if len(f) >= MinSecretLen && strings.Contains(got, f) {
					t.Fatalf("Mask(%q) = %q, still holds %q", before+form+after, got, f)
				}
			}
		}
	})
}

// BenchmarkMasker measures masking a 1 KiB message with three secrets
// (about 30 forms), and building the Masker.
func BenchmarkMasker(b *testing.B) {
	secrets := []string{"QKEY+SECRET/222==", "Bearer t0ken-SECRET-2", `tok"en\SECRET3`}
	text := strings.Repeat("status 500: a server error; body: ", 25) + url.QueryEscape(secrets[0]) + " " + secrets[1]
	b.Run("mask", func(b *testing.B) {
		m := NewMasker(secrets...)
		b.ReportAllocs()
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			m.Mask(text)
		}
	})
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewMasker(secrets...).Mask("x")
		}
	})
}
