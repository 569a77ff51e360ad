package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/asyncinvoke/asyncinvoke/local"
)

func localCommand(args []string, stdio IO) int {
	if len(args) == 0 {
		fmt.Fprint(stdio.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "invoke":
		return invoke(args[1:], stdio)
	case "start-api":
		return startAPI(args[1:], stdio)
	}
	fmt.Fprintf(stdio.Stderr, "asyncinvoke local: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// signalContext is cancelled by Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func invoke(args []string, stdio IO) int {
	fs := flag.NewFlagSet("local invoke", flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	tmplFile := fs.String("t", "template.yaml", "the template that declares the function")
	eventFile := fs.String("e", "", "the event to send (a JSON file, - for stdin); {} when not given")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stdio.Stderr, "usage: asyncinvoke local invoke [-t template.yaml] [-e event.json] FUNCTION")
		return exitUsage
	}
	event := []byte("{}")
	if *eventFile == "-" {
		event, err = io.ReadAll(stdio.Stdin)
	} else if *eventFile != "" {
		event, err = os.ReadFile(*eventFile)
	}
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
		return exitProblems
	}
	t, err := readTemplate(*tmplFile, stdio.Stdin)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
		return exitProblems
	}
	fns, not := local.Functions(t, templateDir(*tmplFile))
	f, ok := fns[pos[0]]
	if !ok {
		why := not[pos[0]]
		if why == "" {
			why = "no such function in the template; functions: " + strings.Join(sortedKeys(fns), ", ")
		}
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %s: %s\n", pos[0], why)
		return exitProblems
	}
	ctx, stop := signalContext()
	defer stop()
	work, err := os.MkdirTemp("", "asyncinvoke-")
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
		return exitProblems
	}
	defer os.RemoveAll(work)
	em, err := local.Start(ctx, f, work, stdio.Stderr)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: %v\n", err)
		return exitProblems
	}
	defer em.Stop()
	ictx, cancel := context.WithTimeout(ctx, f.Timeout+10*time.Second)
	defer cancel()
	out, err := em.Invoke(ictx, event)
	if err != nil && out == nil {
		fmt.Fprintf(stdio.Stderr, "asyncinvoke: invoke %s: %v\n", f.ID, err)
		return exitProblems
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = append(pretty.Bytes(), '\n')
	}
	stdio.Stdout.Write(out)
	if err != nil {
		return exitProblems
	}
	return exitOK
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func templateDir(file string) string {
	if file == "-" {
		return "."
	}
	return filepath.Dir(file)
}

func startAPI(args []string, stdio IO) int {
	fmt.Fprintln(stdio.Stderr, "asyncinvoke local start-api: not built yet")
	return exitUsage
}
