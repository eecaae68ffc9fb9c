package runner_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// TestDynamicValuesRenderedAtSend sends a dynamic check and a plain one
// and compares what the server received: placeholders rendered with the
// Runner's clock and token, escaped "$${" sent as "${", and a plain
// check's "${" left exactly as written.
func TestDynamicValuesRenderedAtSend(t *testing.T) {
	type got struct{ URI, Header, Cookie, Body string }
	var received []got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		received = append(received, got{req.RequestURI, req.Header.Get("X-When"), req.Header.Get("Cookie"), string(b)})
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	now := time.Date(2031, 2, 3, 4, 5, 6, 0, time.FixedZone("x", 3600))
	r, err := runner.New(runner.Options{BaseURL: srv.URL, Concurrency: 1, Now: func() time.Time { return now }, RunToken: "tok12345"})
	if err != nil {
		t.Fatal(err)
	}
	expect := generator.Expect{Status: []string{"204"}, Responses: []generator.Response{{Status: "204"}}}
	dyn := generator.Check{ID: "d", Method: "POST", Path: "/s/{name}", Expect: expect, Request: generator.Request{
		Dynamic: true,
		URL:     "/s/smoke${run}?from=${now+1h}&day=${date-1d}&lit=%24%7Bnow%7D",
		Headers: []generator.Param{{Name: "X-When", Value: "${unix+30m} $${now}"}},
		Cookies: []generator.Param{{Name: "t", Value: "${time}"}},
		Body:    &generator.Body{ContentType: "application/json", Text: `{"end":"${now+2h}","ms":${unixms},"lit":"$${run}"}`},
	}}
	plain := generator.Check{ID: "p", Method: "POST", Path: "/p", Expect: expect, Request: generator.Request{
		URL:  "/p",
		Body: &generator.Body{ContentType: "text/plain", Text: "${now} $${run}"},
	}}
	results, err := r.Run(t.Context(), []generator.Check{dyn, plain})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{
		{
			URI:    "/s/smoketok12345?from=2031-02-03T04:05:06Z&day=2031-02-02&lit=%24%7Bnow%7D",
			Header: strconv.FormatInt(now.Add(30*time.Minute).Unix(), 10) + " ${now}",
			Cookie: "t=03:05:06Z",
			Body:   `{"end":"2031-02-03T05:05:06Z","ms":` + strconv.FormatInt(now.UnixMilli(), 10) + `,"lit":"${run}"}`,
		},
		{URI: "/p", Body: "${now} $${run}"},
	}
	if diff := cmp.Diff(want, received); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if results[0].URL != srv.URL+want[0].URI {
		t.Errorf("result URL = %q, want the rendered %q", results[0].URL, srv.URL+want[0].URI)
	}
	// A reproduce line is made from what was sent: the rendered values,
	// never the placeholders.
	if s := results[0].Sent; s == nil || s.Request.Body == nil || s.Request.Body.Text != want[0].Body {
		t.Errorf("dynamic check: Sent %+v, want the rendered request", s)
	} else if cmd := r.Curl("", *s); !strings.Contains(cmd, "/s/smoketok12345?") || strings.Contains(cmd, "${now+") || strings.Contains(cmd, "${unix") {
		t.Errorf("reproduce: %s", cmd)
	}
	if results[1].Sent != nil {
		t.Errorf("plain check: Sent %+v, want nil (nothing changed it)", results[1].Sent)
	}
	if r.RunToken() != "tok12345" {
		t.Errorf("RunToken() = %q", r.RunToken())
	}
	// Zero options: a fresh token per Runner, the real clock.
	r1, _ := runner.New(runner.Options{})
	r2, _ := runner.New(runner.Options{})
	if len(r1.RunToken()) != generator.RunTokenLen || r1.RunToken() == r2.RunToken() {
		t.Errorf("run tokens %q, %q: want two different tokens of %d characters", r1.RunToken(), r2.RunToken(), generator.RunTokenLen)
	}
}
