package runner

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// echoHandler answers 500 with a JSON body that repeats the request's
// credentials in the forms a careless service uses: raw, URL-encoded,
// JSON-escaped. Every one must be masked in the result.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("api_key")
	body, _ := json.Marshal(map[string]string{ // a map of strings always marshals
		"raw":   key + " " + r.Header.Get("Authorization") + " " + r.Header.Get("X-Token"),
		"query": r.URL.RawQuery,
		"json":  `{"token":` + jsonString(r.Header.Get("X-Token")) + `}`,
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(body)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// resultText is everything a report can show of a result.
func resultText(res Result) string {
	s := res.URL
	for _, f := range res.Failures {
		s += "\n" + f.Message
	}
	return s
}

// TestMaskEncodedSecrets reproduces issue 9: a query API key with + / =
// shows URL-encoded in the result URL, the curl line and the debug log; a
// token with a quote and a backslash is escaped by %q and JSON and then no
// longer matches a raw mask.
func TestMaskEncodedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	const key, token = "QKEY+SECRET/222==", `tok"en\with-quote`
	c := okCheck("a", "GET", "/a?api_key="+url.QueryEscape(key))
	c.Request.Query = []generator.Param{{Name: "api_key", Value: key, Source: generator.SourceSecret, Secret: true}}
	c.Request.Headers = []generator.Param{{Name: "X-Token", Value: token, Source: generator.SourceConfig}}
	var log bytes.Buffer
	r := newRunner(t, Options{BaseURL: srv.URL, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	results, err := r.Run(t.Context(), []generator.Check{c})
	if err != nil {
		t.Fatal(err)
	}
	all := resultText(results[0]) + "\n" + r.Curl("", c) + "\n" + log.String()
	for _, leak := range []string{"SECRET", "with-quote"} {
		if strings.Contains(all, leak) {
			t.Errorf("result, curl line or debug log shows %q:\n%s", leak, all)
		}
	}
	if !strings.Contains(results[0].URL, "api_key="+generator.Mask) {
		t.Errorf("URL = %s, want the key masked", results[0].URL)
	}
}

// TestMaskBeforeExcerpt checks that the body excerpt of a message is
// masked before it is cut: a secret across the 120-byte cut used to
// leave its first half in the message.
func TestMaskBeforeExcerpt(t *testing.T) {
	const secret = "SECRET-abcdefghijklmnopqrstuvwxyz"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, strings.Repeat("x", excerptLen-10)+secret+strings.Repeat("y", 200), http.StatusBadGateway)
	}))
	defer srv.Close()
	res := runOne(t, Options{BaseURL: srv.URL, Secrets: []string{secret}}, okCheck("a", "GET", "/a"))
	msg := resultText(res)
	if strings.Contains(msg, "SECRET") || strings.Contains(msg, "abcdef") {
		t.Errorf("message shows part of the secret:\n%s", msg)
	}
	if !strings.Contains(msg, generator.Mask) {
		t.Errorf("message lacks the mask:\n%s", msg)
	}
}

// TestUserinfo checks that credentials in a base URL travel as HTTP Basic
// in the Authorization header, are never part of a URL shown, and are
// masked when the service echoes them.
func TestUserinfo(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		got = append(got, user+":"+pass)
		http.Error(w, "who is "+r.Header.Get("Authorization")+" "+pass, http.StatusInternalServerError)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("ann", "pa55:w0rd")
	r := newRunner(t, Options{BaseURL: u.String()})
	c := okCheck("a", "GET", "/a")
	c.Request.Headers = []generator.Param{{Name: "Authorization", Value: "Bearer from-config", Secret: true}}
	results, err := r.Run(t.Context(), []generator.Check{c})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := r.Send(t.Context(), u.String(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "ann:pa55:w0rd" || got[1] != "ann:pa55:w0rd" {
		t.Errorf("server saw Basic credentials %q, want ann:pa55:w0rd twice", got)
	}
	all := resultText(results[0]) + "\n" + r.Curl("", c) + "\n" + r.Curl(u.String(), c)
	if strings.Contains(all, "ann:") || strings.Contains(all, "@") || strings.Contains(all, "pa55") {
		t.Errorf("credentials of the base URL show:\n%s", all)
	}
	if secrets := strings.Join(r.Secrets(), " "); !strings.Contains(secrets, "pa55:w0rd") {
		t.Errorf("Secrets() = %s, want the password of the base URL", secrets)
	}
	if want := "curl -sS -i '" + srv.URL + "/a' -H 'Authorization: ********'"; r.Curl("", c) != want {
		t.Errorf("Curl() = %s, want %s", r.Curl("", c), want)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("Send() status = %d, want 500", resp.StatusCode)
	}

	// An Authorization header of the options wins over the URL's.
	got = nil
	runOne(t, Options{BaseURL: u.String(), Headers: http.Header{"Authorization": {"Basic " + "Ym9iOnNlY3JldA=="}}}, okCheck("a", "GET", "/a"))
	if len(got) != 1 || got[0] != "bob:secret" {
		t.Errorf("with an Authorization header, server saw %q, want bob:secret", got)
	}
}

func TestUserinfoInBadBaseURL(t *testing.T) {
	for _, base := range []string{"ftp://ann:hunter22@host", "http://ann:hunter22@host/x?q=1", "http://ann:hunter22@host:badport/"} {
		_, err := New(Options{BaseURL: base})
		if err == nil || strings.Contains(err.Error(), "hunter22") || strings.Contains(err.Error(), "ann") {
			t.Errorf("New(%q) error = %v, want an error without the credentials", base, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             `'plain'`,
		"it's":              `'it'\''s'`,
		"a\nb":              `$'a\nb'`,
		"\x1b]0;title\x07'": `$'\x1b]0;title\x07\''`,
		"back\\slash\tx\r":  `$'back\\slash\tx\r'`,
		"bad\xffutf8":       `$'bad\xffutf8'`,
		"rtl\u202eevil":     `$'rtl\u202eevil'`,
		"é ✓":               `'é ✓'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
