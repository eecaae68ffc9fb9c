package ddemu_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/smoke-dev/smoke/internal/ddemu"
)

func Example() {
	// Datadog's v1 document ships in the datadog-api-client-go module.
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/DataDog/datadog-api-client-go/v2").Output()
	if err != nil {
		fmt.Println(err)
		return
	}
	emu, err := ddemu.NewServer(ddemu.Options{
		SpecPath: filepath.Join(strings.TrimSpace(string(dir)), ".generator", "schemas", "v1", "openapi.yaml"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	emu.Inject(ddemu.Fault{Operation: "ListTests", Status: http.StatusTooManyRequests, ResetSeconds: 3})
	srv := httptest.NewServer(emu)
	defer srv.Close()

	for range 2 {
		req, err := http.NewRequest("GET", srv.URL+"/api/v1/synthetics/tests", nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		req.Header.Set("DD-API-KEY", "any")
		req.Header.Set("DD-APPLICATION-KEY", "any")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Printf("%d reset=%q\n", resp.StatusCode, resp.Header.Get("X-RateLimit-Reset"))
	}
	fmt.Println(emu.Calls()["ListTests"], "calls,", len(emu.Violations()), "violations")
	// Output:
	// 429 reset="3"
	// 200 reset=""
	// 2 calls, 0 violations
}
