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
