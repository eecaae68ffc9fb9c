package spec

import (
	lg "log"
	xos "os"
)

func quit() {
	if len(xos.Args) > 1 {
		lg.Fatalf("no")
	}
	xos.Exit(1)
}
