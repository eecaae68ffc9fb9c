package petstore_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/smoke-dev/smoke/examples/petstore"
)

func Example() {
	srv := httptest.NewServer(petstore.New(petstore.Options{Version: 1}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/pets/2")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 {"id":2,"name":"Tom","tag":"cat"}
}
