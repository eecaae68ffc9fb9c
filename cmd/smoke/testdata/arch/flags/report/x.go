package report

import "flag"

var verbose = flag.Bool("v", false, "")
