// Command asyncinvoke expands and checks templates that use the AsyncInvoke
// macro, and runs their functions and REST APIs locally. See package cli.
package main

import (
	"os"

	"github.com/asyncinvoke/asyncinvoke/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], cli.Std)) }
