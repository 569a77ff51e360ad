package tests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADME runs the README's `local start-api` example as a user would:
// the command of the block marked <!-- readme-test: start-api -->, then each
// curl call of the block marked calls, in order, checking the answer its
// comment gives (# 200, no body; # 200: {...}); and it checks that the
// server printed every line of the blocks marked prints and logs, so that
// what the README shows is what examples/jobs.yaml does. In expected lines
// ... stands for anything; times of day, durations and request IDs are not
// compared, and the README's port 3000 is the test's own.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := markedBlocks(string(readme))
	require.Len(t, blocks["start-api"], 1, "one start-api block")
	require.Len(t, blocks["calls"], 1, "one calls block")
	require.NotEmpty(t, blocks["prints"])
	require.NotEmpty(t, blocks["logs"])

	command := strings.Fields(strings.TrimSpace(blocks["start-api"][0]))
	prefix := []string{"go", "run", "./cmd/asyncinvoke", "local", "start-api"}
	require.Equal(t, prefix, command[:len(prefix)], "the README's command")
	var args []string
	for i := len(prefix); i < len(command); i++ {
		switch command[i] {
		case "--port":
			i++ // the test's own port
		case "-t":
			args = append(args, "-t", "../"+command[i+1])
			i++
		default:
			args = append(args, command[i])
		}
	}
	srv := startServer(t, "", nil, 3*time.Minute, args...)
	port := strings.TrimPrefix(srv.base, "http://127.0.0.1:")

	calls(t, srv, blocks["calls"][0])

	var want []string
	for _, b := range append(blocks["prints"], blocks["logs"]...) {
		for _, l := range strings.Split(b, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				want = append(want, strings.ReplaceAll(l, "127.0.0.1:3000", "127.0.0.1:"+port))
			}
		}
	}
	deadline := time.Now().Add(time.Minute)
	for _, w := range want {
		re := regexp.MustCompile(expected(w))
		for !anyLine(re, srv.logs.String()) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		assert.True(t, anyLine(re, srv.logs.String()), "the README shows a line the server does not print:\n%s", w)
	}
	srv.interrupt(t, 30*time.Second)
}

// calls makes each curl call of a README block to srv, checking the answer
// its comment gives.
func calls(t *testing.T, srv *server, block string) {
	t.Helper()
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := parseCurl(line)
		require.NoError(t, err, line)
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.base+c.path, strings.NewReader(c.body))
			require.NoError(t, err)
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, c.status, resp.StatusCode, "%s: %s", line, body)
			if c.withHeader != "" {
				assert.NotEmpty(t, resp.Header.Get(c.withHeader), "%s: the answer has %s", line, c.withHeader)
			}
			if c.noBody {
				assert.Empty(t, string(body), line)
			} else {
				assert.Regexp(t, expected(c.answer), normalize(string(body)), line)
			}
		})
	}
}

// TestREADMEFirstMinutes runs the README's first commands as a new user
// would, from the repository's root: make build, then each bin/asyncinvoke
// command of the block marked <!-- readme-test: first-minutes -->, with the
// bin/ that make build made; expand and check exit 0 with nothing on
// standard error (check prints nothing either), local start-api serves, and
// each curl call of the block marked first-calls gets the answer its
// comment gives.
func TestREADMEFirstMinutes(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := markedBlocks(string(readme))
	require.Len(t, blocks["first-minutes"], 1, "one first-minutes block")
	require.Len(t, blocks["first-calls"], 1, "one first-calls block")

	bin := filepath.Join(t.TempDir(), "bin") // make build's bin/, here
	built, served := false, false
	for _, line := range strings.Split(blocks["first-minutes"][0], "\n") {
		words, _, err := shellWords(line)
		require.NoError(t, err, line)
		if len(words) == 0 {
			continue
		}
		switch {
		case strings.Join(words, " ") == "make build":
			cmd := exec.Command("make", "build", "BIN="+bin)
			cmd.Dir = ".."
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "make build:\n%s", out)
			built = true
		case words[0] == "bin/asyncinvoke" && len(words) > 2 && words[1] == "local" && words[2] == "start-api":
			require.True(t, built, "the README runs make build before %s", line)
			var args []string
			for i := 3; i < len(words); i++ {
				if words[i] == "--port" {
					i++ // the test's own port
					continue
				}
				args = append(args, words[i])
			}
			srv := startServerOf(t, filepath.Join(bin, "asyncinvoke"), "..", nil, 3*time.Minute, args...)
			calls(t, srv, blocks["first-calls"][0])
			srv.interrupt(t, 30*time.Second)
			served = true
		case words[0] == "bin/asyncinvoke":
			require.True(t, built, "the README runs make build before %s", line)
			cmd := exec.Command(filepath.Join(bin, "asyncinvoke"), words[1:]...)
			cmd.Dir = ".."
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			assert.NoError(t, cmd.Run(), "%s\n%s", line, stderr.String())
			assert.Empty(t, stderr.String(), line)
			if words[1] == "check" {
				assert.Empty(t, stdout.String(), line)
			} else {
				assert.NotEmpty(t, stdout.String(), line)
			}
		default:
			t.Fatalf("the test does not know how to run %q: teach it, or change the README", line)
		}
	}
	assert.True(t, served, "the block serves the API with bin/asyncinvoke local start-api")
}

// markedBlocks returns the code blocks that follow a <!-- readme-test: NAME -->
// line, by NAME.
func markedBlocks(md string) map[string][]string {
	out := map[string][]string{}
	re := regexp.MustCompile("(?s)<!-- readme-test: (\\S+) -->\n```[a-z]*\n(.*?)```")
	for _, m := range re.FindAllStringSubmatch(md, -1) {
		out[m[1]] = append(out[m[1]], m[2])
	}
	return out
}

// curl is one curl call of the README and the answer its comment gives.
type curl struct {
	method, path, body string
	header             map[string]string
	status             int
	withHeader         string // a header the answer has
	noBody             bool
	answer             string
}

// parseCurl reads `curl -i -X METHOD localhost:3000/PATH [-H 'K: V'] [-d 'BODY'] # STATUS, no body`
// (or `# STATUS: BODY`, or `# STATUS with HEADER: BODY` for an answer that has
// that header), with words in single quotes as the shell reads them.
func parseCurl(line string) (curl, error) {
	c := curl{method: "GET", header: map[string]string{}}
	words, comment, err := shellWords(line)
	if err != nil {
		return c, err
	}
	if len(words) == 0 || words[0] != "curl" {
		return c, fmt.Errorf("not a curl call")
	}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-i":
		case w == "-X" && i+1 < len(words):
			c.method, i = words[i+1], i+1
		case w == "-H" && i+1 < len(words):
			k, v, _ := strings.Cut(words[i+1], ":")
			c.header[k], i = strings.TrimSpace(v), i+1
		case w == "-d" && i+1 < len(words):
			c.body, i = words[i+1], i+1
		case strings.HasPrefix(w, "localhost:"):
			c.path = w[strings.IndexByte(w, '/'):]
		default:
			return c, fmt.Errorf("unknown curl word %q", w)
		}
	}
	m := regexp.MustCompile(`^(\d{3})(?: with ([A-Za-z0-9-]+))?(, no body|: (.+))$`).FindStringSubmatch(comment)
	if m == nil {
		return c, fmt.Errorf("the comment %q does not say the answer: # 200, no body or # 200: BODY (or # 202 with HEADER: BODY)", comment)
	}
	c.status, _ = strconv.Atoi(m[1])
	c.withHeader = m[2]
	c.noBody, c.answer = m[3] == ", no body", m[4]
	return c, nil
}

// shellWords splits a command line as the shell does for the README's
// commands (words in single quotes taken as they are), and returns the
// comment after #.
func shellWords(line string) (words []string, comment string, err error) {
	for i := 0; i < len(line); {
		switch {
		case line[i] == ' ' || line[i] == '\t':
			i++
		case line[i] == '#':
			comment, i = strings.TrimSpace(line[i+1:]), len(line)
		case line[i] == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, "", fmt.Errorf("an unclosed quote")
			}
			words, i = append(words, line[i+1:i+1+end]), i+end+2
		default:
			end := strings.IndexAny(line[i:], " \t'")
			if end < 0 {
				end = len(line) - i
			}
			words, i = append(words, line[i:i+end]), i+end
		}
	}
	return words, comment, nil
}

var (
	timeOfDay = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{6} `)
	duration  = regexp.MustCompile(`\b\d+(\.\d+)?(µs|ms|s)\b`)
	requestID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// normalize takes out of a text what varies from run to run.
func normalize(s string) string {
	s = timeOfDay.ReplaceAllString(s, "")
	s = requestID.ReplaceAllString(s, "ID")
	return duration.ReplaceAllString(s, "DURATION")
}

// expected is the regular expression of a whole line the README shows.
func expected(line string) string {
	parts := strings.Split(normalize(line), "...")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return "^" + strings.Join(parts, ".*") + "$"
}

// anyLine reports whether a line of the log, normalized, matches re.
func anyLine(re *regexp.Regexp, log string) bool {
	for _, l := range strings.Split(log, "\n") {
		if re.MatchString(normalize(l)) {
			return true
		}
	}
	return false
}
