package generator_test

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestForeignPath: a write is sent only with ids of resources the run
// creates or the user named; everything under a created resource is the
// run's own.
func TestForeignPath(t *testing.T) {
	param := func(name, value string, src generator.Source) generator.Param {
		return generator.Param{Name: name, Value: value, Source: src}
	}
	create := func(name string) generator.Binding {
		return generator.Binding{In: generator.InPath, Name: name, Producer: "p", Operation: "POST /pets", From: "$response.body#/id"}
	}
	list := func(name string) generator.Binding {
		return generator.Binding{In: generator.InPath, Name: name, Producer: "l", Operation: "GET /pets", From: "$response.body#/0/id"}
	}
	for _, tc := range []struct {
		name     string
		c        generator.Check
		wantName string // "" when the write may be sent
	}{
		{"a read", generator.Check{Method: "GET", Path: "/pets/{id}", Safe: true,
			Request: generator.Request{Path: []generator.Param{param("id", "3", generator.SourceExample)}}}, ""},
		{"an example id", generator.Check{Method: "DELETE", Path: "/pets/{id}",
			Request: generator.Request{Path: []generator.Param{param("id", "3", generator.SourceExample)}}}, "id"},
		{"an invented id", generator.Check{Method: "PUT", Path: "/pets/{id}",
			Request: generator.Request{Path: []generator.Param{param("id", "smoke", generator.SourceGenerated)}}}, "id"},
		{"the user's id", generator.Check{Method: "DELETE", Path: "/pets/{id}",
			Request: generator.Request{Path: []generator.Param{param("id", "42", generator.SourceFixture)}}}, ""},
		{"bound to a create", generator.Check{Method: "DELETE", Path: "/pets/{id}", Bindings: []generator.Binding{create("id")},
			Request: generator.Request{Path: []generator.Param{param("id", "3", generator.SourceExample)}}}, ""},
		{"bound to a list", generator.Check{Method: "DELETE", Path: "/pets/{id}", Bindings: []generator.Binding{list("id")},
			Request: generator.Request{Path: []generator.Param{param("id", "3", generator.SourceExample)}}}, "id"},
		{"under a created pet", generator.Check{Method: "DELETE", Path: "/pets/{id}/photos/{photo}", Bindings: []generator.Binding{create("id")},
			Request: generator.Request{Path: []generator.Param{param("id", "3", generator.SourceExample), param("photo", "p1", generator.SourceExample)}}}, ""},
		{"a zone of the user's server", generator.Check{Method: "PUT", Path: "/servers/{server}/zones/{zone}",
			Request: generator.Request{Path: []generator.Param{param("server", "localhost", generator.SourceFixture), param("zone", "example.org.", generator.SourceExample)}}}, "zone"},
		{"a kind from an enum", generator.Check{Method: "POST", Path: "/reports/{format}",
			Request: generator.Request{Path: []generator.Param{param("format", "csv", generator.SourceEnum)}}}, ""},
		{"a collection action", generator.Check{Method: "POST", Path: "/things/prune"}, ""},
		{"braces that name no parameter", generator.Check{Method: "DELETE", Path: "/a/{b/c}/{{id}",
			Request: generator.Request{Path: []generator.Param{{Name: "b/c", Value: "x", Source: generator.SourceExample}, param("id", "7", generator.SourceExample)}}}, "id"},
		{"parameters in one segment", generator.Check{Method: "DELETE", Path: "/files/{name}.{ext}",
			Request: generator.Request{Path: []generator.Param{param("ext", "txt", generator.SourceEnum), param("name", "a", generator.SourceExample)}}}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name, _, foreign := generator.ForeignPath(tc.c, nil)
			if foreign != (tc.wantName != "") || name != tc.wantName {
				t.Errorf("ForeignPath = %q %v, want %q", name, foreign, tc.wantName)
			}
		})
	}
}

// TestUntouchable: a prune, a purge or a delete-all acts on everything of
// its collection: sent only when smoke.yaml sets one of its values.
func TestUntouchable(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    generator.Check
		want bool
	}{
		{"prune", generator.Check{Method: "POST", Path: "/volumes/prune"}, true},
		{"delete-all", generator.Check{Method: "DELETE", Path: "/cache/delete-all"}, true},
		{"Purge_All", generator.Check{Method: "POST", Path: "/queues/{q}/Purge_All",
			Request: generator.Request{Path: []generator.Param{{Name: "q", Value: "x", Source: generator.SourceFixture}}}}, false},
		{"prune with the user's filter", generator.Check{Method: "POST", Path: "/volumes/prune",
			Request: generator.Request{Query: []generator.Param{{Name: "filters", Value: `{"label":["smoke"]}`, Source: generator.SourceFixture}}}}, false},
		{"prune with an example filter", generator.Check{Method: "POST", Path: "/volumes/prune",
			Request: generator.Request{Query: []generator.Param{{Name: "filters", Value: "{}", Source: generator.SourceExample}}}}, true},
		{"a read of a prune report", generator.Check{Method: "GET", Path: "/volumes/prune", Safe: true}, false},
		{"a create", generator.Check{Method: "POST", Path: "/volumes/create"}, false},
		{"an example id", generator.Check{Method: "DELETE", Path: "/volumes/{name}",
			Request: generator.Request{Path: []generator.Param{{Name: "name", Value: "tardis", Source: generator.SourceExample}}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := generator.Untouchable(tc.c); (got != "") != tc.want {
				t.Errorf("Untouchable = %q, want refused %v", got, tc.want)
			}
		})
	}
}
