package cli

import (
	"io"
	"os"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// writeDiff writes a unified diff of a and b with three lines of context,
// coloured if color.
func writeDiff(w io.Writer, a, b []byte, aName, bName string, color bool) error {
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: aName, ToFile: bName, Context: 3,
	})
	if err != nil || text == "" {
		return err
	}
	if !color {
		_, err = io.WriteString(w, text)
		return err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		body := strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "):
			out.WriteString(ansiBold + body + ansiReset)
		case strings.HasPrefix(line, "@@"):
			out.WriteString(ansiCyan + body + ansiReset)
		case strings.HasPrefix(line, "-"):
			out.WriteString(ansiRed + body + ansiReset)
		case strings.HasPrefix(line, "+"):
			out.WriteString(ansiGreen + body + ansiReset)
		default:
			out.WriteString(body)
		}
		out.WriteString(line[len(body):])
	}
	_, err = io.WriteString(w, out.String())
	return err
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
)

// useColor decides --color: auto colours only a terminal, and never when
// NO_COLOR is set (https://no-color.org) or TERM is dumb.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
