package baseline

import (
	"testing"

	"github.com/smoke-dev/smoke/generator"
)

// TestIndexNarrowsOnly: the index never leaves out an entry whose
// selector matches the finding's operation.
func TestIndexNarrowsOnly(t *testing.T) {
	type entry struct {
		sel   generator.Selector
		check string
	}
	entries := []entry{
		{"GET /pets/{petId}", ""}, {"get /pets/{petId}", ""}, {" GET  /pets/{petId} ", ""}, {"GET /pets/*", ""},
		{"/pets/{petId}", ""}, {"/pets/*", ""}, {"getPet", ""}, {"", "abc"}, {"*", "abc"}, {"GET /pets/{petId}", "abc"},
		{"POST /pets", ""}, {"listPets", ""}, {"", "zzz"}, {"GET /pets/[p]*", ""}, {"/pets/\\{petId}", ""},
	}
	ix := newIndex(len(entries), func(i int) (generator.Selector, string) { return entries[i].sel, entries[i].check })
	findings := []Finding{
		{CheckID: "abc", Method: "GET", Path: "/pets/{petId}", OperationID: "getPet"},
		{CheckID: "abc", Method: "get", Path: "/pets/{petId}"},
		{CheckID: "def", Method: "POST", Path: "/pets", OperationID: "createPet"},
		{CheckID: "zzz", Method: "GET", Path: "/pets", OperationID: "listPets"},
	}
	for _, x := range findings {
		got := map[int]bool{}
		for _, i := range ix.of(x) {
			got[i] = true
		}
		for i, e := range entries {
			want := (e.check == "" || e.check == x.CheckID) && e.sel.Match(x.Method, x.Path, x.OperationID)
			if want && !got[i] {
				t.Errorf("index leaves out entry %q (check %q) for %s %s %q", e.sel, e.check, x.Method, x.Path, x.OperationID)
			}
		}
	}
}
