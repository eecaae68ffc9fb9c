package synthetics_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/synthetics"
)

// FuzzMap checks that mapping never panics and never inlines a secret,
// whatever the check holds.
func FuzzMap(f *testing.F) {
	f.Add("GET", "/pets/{id}", "/pets/1?x=y", "200", "s3cr3t-token", "TOKEN", "Bearer ${TOKEN}", "application/json", "{}")
	f.Add("post", "/", "", "default", "", "", "", "", "")
	f.Add("PUT", "/a", "/a?k=s3cr3t", "4XX", "s3cr3t", "", "${K}", "multipart/form-data; boundary=x", "--x--")
	f.Fuzz(func(t *testing.T, method, path, url, status, secret, env, tmpl, ct, body string) {
		c := generator.Check{
			ID: generator.CheckID("svc", method, path), Method: method, Path: path,
			Request: generator.Request{
				URL:     url,
				Headers: []generator.Param{{Name: "Authorization", Value: secret, Secret: true, Env: env, Template: tmpl}},
				Query:   []generator.Param{{Name: "key", Value: secret, Secret: true, Env: env, Template: tmpl}},
			},
			Expect: generator.Expect{Status: []string{status}, Responses: []generator.Response{{Status: status}}},
		}
		if ct != "" {
			c.Request.Body = &generator.Body{ContentType: ct, Text: body}
		}
		tests, err := synthetics.Map([]generator.Check{c}, synthetics.Options{Service: "svc", BaseURL: "https://api.example.com"})
		if err != nil {
			return
		}
		b, err := json.Marshal(tests[0])
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if len(secret) >= 4 && bytes.Contains(b, []byte(secret)) && !bytes.Contains([]byte(url+body+path+method+tmpl+ct), []byte(secret)) {
			t.Errorf("payload inlines the secret %q: %s", secret, b)
		}
	})
}
