package diff

import (
	"net/http"
	"testing"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/runner"
)

// TestAliasCollidingIDs: small ids collide across resources (an owner's
// pet 2 and appointment 2). Each id is aliased to the counterpart of its
// own resource, whatever order the values come in (values is a map, so
// the loop gives every order a chance).
func TestAliasCollidingIDs(t *testing.T) {
	values := map[string]string{
		"POST /owners/{ownerId}/pets $response.header.Location": "2",
		"POST /appointments $response.body#/id":                 "2",
		"POST /owners $response.header.Location":                "7",
	}
	canon := map[string]string{
		"POST /owners/{ownerId}/pets $response.header.Location": "1",
		"POST /appointments $response.body#/id":                 "5",
		"POST /owners $response.header.Location":                "3",
	}
	check := func(method, path string) generator.Check { return generator.Check{Method: method, Path: path} }
	for _, tc := range []struct {
		c          generator.Check
		body, want string
		header     string
	}{
		{check("POST", "/owners/{ownerId}/pets"), `{"id":2,"name":"Rex"}`, `{"id":1,"name":"Rex"}`, "/owners/3/pets/1"},
		{check("GET", "/owners/{ownerId}/pets"), `{"items":[{"id":2}]}`, `{"items":[{"id":1}]}`, ""},
		{check("POST", "/appointments"), `{"id":2,"petId":4}`, `{"id":5,"petId":4}`, ""},
	} {
		for range 50 {
			resp := &runner.Response{Body: []byte(tc.body), Header: http.Header{}}
			if tc.header != "" {
				resp.Header.Set("Location", "/owners/7/pets/2")
			}
			got := alias(resp, runner.Result{}, values, canon, tc.c)
			if string(got.Body) != tc.want {
				t.Fatalf("%s %s: body %s, want %s", tc.c.Method, tc.c.Path, got.Body, tc.want)
			}
			if tc.header != "" && got.Header.Get("Location") != tc.header {
				t.Fatalf("%s %s: Location %s, want %s", tc.c.Method, tc.c.Path, got.Header.Get("Location"), tc.header)
			}
		}
	}
}
