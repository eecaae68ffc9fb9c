package generator_test

import (
	"context"
	"fmt"

	"github.com/smoke-dev/smoke/generator"
	"github.com/smoke-dev/smoke/spec"
)

func ExampleGenerate() {
	doc, err := spec.Load(context.TODO(), "../spec/testdata/external/api.yaml", spec.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, _ := generator.Generate(doc, generator.Options{Service: "pets"})
	for _, c := range plan.Checks {
		fmt.Println(c.ID, c.Method, c.Request.URL, c.Request.Path[0].Source, c.Expect.Status)
	}
	// Output: 715a635633b3 GET /pets/7 example [200]
}

// A bound value replaces the static one in a copy of the check; the URL
// is rebuilt around it.
func ExampleCheck_WithValue() {
	c := generator.Check{
		Method: "GET", Path: "/silence/{silenceID}",
		Request: generator.Request{URL: "/silence/static-id", Path: []generator.Param{{Name: "silenceID", Value: "static-id"}}},
	}
	bound, err := c.WithValue(generator.InPath, "silenceID", "5f0c8f5e-real")
	if err != nil {
		panic(err)
	}
	fmt.Println(bound.Request.URL)
	fmt.Println(c.Request.URL)
	// Output:
	// /silence/5f0c8f5e-real
	// /silence/static-id
}
