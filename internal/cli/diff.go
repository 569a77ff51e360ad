package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffContext is the number of unchanged lines around each change, as
// diff -u shows.
const diffContext = 3

// maxDiffLines is how many distinct lines diffmatchpatch can tell apart
// (one rune each); it panics beyond.
const maxDiffLines = 1_112_060

// writeDiff writes a unified diff of a and b with three lines of context,
// in the format of GNU diff -u, coloured if color.
func writeDiff(w io.Writer, a, b []byte, aName, bName string, color bool) error {
	text, err := unifiedDiff(string(a), string(b), aName, bName)
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

// diffLine is one line of a diff: kept (' '), removed ('-') or added ('+').
type diffLine struct {
	op   byte
	text string // with its newline, if it has one
}

// lineDiff compares a and b line by line with diffmatchpatch (Myers'
// algorithm, by bisection in linear space, with no time limit so that
// the answer is always the same), and returns every line of both, in
// order, marked kept, removed or added.
func lineDiff(a, b string) ([]diffLine, error) {
	if strings.Count(a, "\n")+strings.Count(b, "\n")+2 > maxDiffLines {
		return nil, errors.New("the texts have too many lines to compare")
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	var out []diffLine
	for _, d := range dmp.DiffMainRunes(ra, rb, false) {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, r := range d.Text {
			out = append(out, diffLine{op, lines[r]})
		}
	}
	return out, nil
}

// unifiedDiff is the unified diff of a and b, "" when they are equal.
func unifiedDiff(a, b, aName, bName string) (string, error) {
	if a == b {
		return "", nil
	}
	lines, err := lineDiff(a, b)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	aLine, bLine := 1, 1 // of lines[i]
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			i, aLine, bLine = i+1, aLine+1, bLine+1
			continue
		}
		// A hunk: from diffContext lines before this change to diffContext
		// lines after the last change that is at most 2*diffContext kept
		// lines from the one before it.
		start := max(0, i-diffContext)
		aStart, bStart := aLine-(i-start), bLine-(i-start)
		end := i
		for j := i; j < len(lines); j++ {
			if lines[j].op != ' ' {
				end = j + 1
			} else if j-end >= 2*diffContext {
				break
			}
		}
		end = min(len(lines), end+diffContext)
		aCount, bCount := 0, 0
		for _, l := range lines[start:end] {
			if l.op != '+' {
				aCount++
			}
			if l.op != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
		for _, l := range lines[start:end] {
			out.WriteByte(l.op)
			out.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i, aLine, bLine = end, aStart+aCount, bStart+bCount
	}
	return out.String(), nil
}

// hunkRange writes a hunk's range as diff -u does: the first line and the
// number of lines, the number left out when it is 1, and the line before
// when there are none.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
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
