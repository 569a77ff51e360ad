package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnifiedDiffAsGNU: the diff is what GNU diff -u prints for the same
// texts, hunks, ranges and context alike.
func TestUnifiedDiffAsGNU(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("no diff command")
	}
	lines := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	example, err := os.ReadFile("testdata/example.yaml")
	require.NoError(t, err)
	tests := []struct{ name, a, b string }{
		{"equal", lines(1, 5), lines(1, 5)},
		{"a line changed in the middle", lines(1, 20), strings.Replace(lines(1, 20), "line 10\n", "line ten\n", 1)},
		{"added at the start", lines(1, 10), "line 0\n" + lines(1, 10)},
		{"added at the end", lines(1, 10), lines(1, 11)},
		{"removed at the end", lines(1, 10), lines(1, 8)},
		{"two changes 6 lines apart: one hunk", lines(1, 30), strings.NewReplacer("line 5\n", "five\n", "line 12\n", "twelve\n").Replace(lines(1, 30))},
		{"two changes 7 lines apart: two hunks", lines(1, 30), strings.NewReplacer("line 5\n", "five\n", "line 13\n", "thirteen\n").Replace(lines(1, 30))},
		{"from nothing", "", lines(1, 3)},
		{"to nothing", lines(1, 3), ""},
		{"one line to one line", "a\n", "b\n"},
		{"no newline at the end", lines(1, 4) + "last", lines(1, 4) + "last\n"},
		{"the example, expanded", string(example), expanded(t, "testdata/example.yaml")},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			require.NoError(t, os.WriteFile(a, []byte(tc.a), 0o644))
			require.NoError(t, os.WriteFile(b, []byte(tc.b), 0o644))
			gnu, err := exec.Command("diff", "-u", "--label", "before", "--label", "after", a, b).Output()
			var exit *exec.ExitError
			if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
				t.Fatal(err)
			}
			got, err := unifiedDiff(tc.a, tc.b, "before", "after")
			require.NoError(t, err)
			assert.Equal(t, string(gnu), got)
		})
	}
}

// expanded is the output of expand FILE.
func expanded(t *testing.T, file string) string {
	var out strings.Builder
	require.Equal(t, exitOK, Main([]string{"expand", file}, IO{Stdout: &out, Stderr: &strings.Builder{}}))
	return out.String()
}

// FuzzUnifiedDiff: the diff of any two texts, applied to the first, gives
// the second, and every hunk has the lines its header counts.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "x")
	f.Add("x\ny", "x\ny\n")
	f.Add(strings.Repeat("k\n", 20)+"a\n"+strings.Repeat("k\n", 20), strings.Repeat("k\n", 21)+strings.Repeat("k\n", 20)+"b")
	f.Fuzz(func(t *testing.T, a, b string) {
		d, err := unifiedDiff(a, b, "a", "b")
		if err != nil {
			t.Fatal(err)
		}
		if (d == "") != (a == b) {
			t.Fatalf("diff %q of %q and %q", d, a, b)
		}
		if d == "" {
			return
		}
		got, err := applyUnified(a, d)
		if err != nil {
			t.Fatalf("%v\n%s", err, d)
		}
		if got != b {
			t.Fatalf("applied, the diff gives %q, not %q:\n%s", got, b, d)
		}
	})
}

// applyUnified applies a unified diff of one file to a, checking every
// hunk against its header and its context against a.
func applyUnified(a, diff string) (string, error) {
	old := strings.SplitAfter(a, "\n")
	if old[len(old)-1] == "" {
		old = old[:len(old)-1]
	}
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", errors.New("no file header")
	}
	var out []string
	next := 0 // the next line of old to copy
	for i := 2; i < len(lines) && lines[i] != ""; {
		var aStart, aCount, bStart, bCount int
		if err := readHunkHeader(lines[i], &aStart, &aCount, &bStart, &bCount); err != nil {
			return "", err
		}
		i++
		if aCount == 0 {
			aStart++ // the range names the line before
		}
		if aStart-1 < next {
			return "", fmt.Errorf("hunk at line %d overlaps the one before", aStart)
		}
		out = append(out, old[next:aStart-1]...)
		next = aStart - 1
		for aCount > 0 || bCount > 0 {
			if i >= len(lines) || lines[i] == "" {
				return "", errors.New("a hunk is shorter than its header says")
			}
			op, text := lines[i][0], lines[i][1:]
			i++
			if i < len(lines) && lines[i] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			if op != '+' {
				if next >= len(old) || old[next] != text {
					return "", fmt.Errorf("line %d is not %q", next+1, text)
				}
				next++
				aCount--
			}
			if op != '-' {
				out = append(out, text)
				bCount--
			}
			if aCount < 0 || bCount < 0 {
				return "", errors.New("a hunk is longer than its header says")
			}
		}
	}
	return strings.Join(append(out, old[next:]...), ""), nil
}

// readHunkHeader reads "@@ -a,n +b,m @@", where ",n" is left out when n is 1.
func readHunkHeader(line string, aStart, aCount, bStart, bCount *int) error {
	f := strings.Fields(line)
	if len(f) != 4 || f[0] != "@@" || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return fmt.Errorf("not a hunk header: %q", line)
	}
	read := func(r string, start, count *int) error {
		s, n, found := strings.Cut(r, ",")
		*count = 1
		var err error
		if *start, err = strconv.Atoi(s); err != nil {
			return err
		}
		if found {
			*count, err = strconv.Atoi(n)
		}
		return err
	}
	if err := read(f[1][1:], aStart, aCount); err != nil {
		return err
	}
	return read(f[2][1:], bStart, bCount)
}
