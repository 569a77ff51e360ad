package emulator_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncinvoke/asyncinvoke/internal/emulator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The version Find installs is the one go.mod pins as a tool.
func TestRIEVersionIsGoMods(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	pinned := ""
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == emulator.RIEModule {
			pinned = f[1]
		} else if len(f) >= 3 && f[0] == "require" && f[1] == emulator.RIEModule {
			pinned = f[2]
		}
	}
	assert.Equal(t, pinned, emulator.RIEVersion, "emulator.RIEVersion must be the version go.mod pins")
	assert.Contains(t, string(mod), "tool "+emulator.RIEPackage)
}

// fakeGo writes a go command that answers go tool -n with tool (failing
// when it is empty) and go install by writing $GOBIN/aws-lambda-rie (or
// failing when install is false), recording its arguments and GOFLAGS.
func fakeGo(t *testing.T, tool string, install bool) (dir, record string) {
	t.Helper()
	dir = t.TempDir()
	record = filepath.Join(dir, "record")
	installed := `echo fake > "$GOBIN/aws-lambda-rie"; /bin/chmod +x "$GOBIN/aws-lambda-rie"`
	if !install {
		installed = `echo "go: cannot reach the module proxy" >&2; exit 1`
	}
	script := `#!/bin/sh
echo "$@ GOFLAGS=[$GOFLAGS] GOWORK=$GOWORK" >> "` + record + `"
case "$1" in
tool) [ -n "` + tool + `" ] && echo "` + tool + `" && exit 0; echo "go: no such tool" >&2; exit 1 ;;
install) ` + installed + ` ;;
esac
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755))
	return dir, record
}

func TestFind(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "my-rie")
	require.NoError(t, os.WriteFile(existing, []byte("#!/bin/sh\n"), 0o755))
	onPath := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(onPath, "aws-lambda-rie"), []byte("#!/bin/sh\n"), 0o755))

	tests := []struct {
		name      string
		env       string // AWS_LAMBDA_RIE
		path      func(t *testing.T) (dir, record string)
		want      string // "cache": the installed copy
		err       string
		log       string
		recorded  []string
		notLogged bool
	}{
		{name: "$AWS_LAMBDA_RIE", env: existing, path: func(t *testing.T) (string, string) { return fakeGo(t, "", true) }, want: existing, notLogged: true},
		{name: "$AWS_LAMBDA_RIE that is not there", env: "/nonexistent/rie", path: func(t *testing.T) (string, string) { return fakeGo(t, "", true) },
			err: "AWS_LAMBDA_RIE names the Lambda Runtime Interface Emulator, but stat /nonexistent/rie: no such file or directory"},
		{name: "on the PATH", path: func(t *testing.T) (string, string) {
			d, r := fakeGo(t, "", true)
			return onPath + string(os.PathListSeparator) + d, r
		}, want: filepath.Join(onPath, "aws-lambda-rie"), notLogged: true},
		{name: "the module's tool", path: func(t *testing.T) (string, string) { return fakeGo(t, "/go/cache/aws-lambda-rie", true) },
			want: "/go/cache/aws-lambda-rie", notLogged: true, recorded: []string{"tool -n aws-lambda-rie"}},
		{name: "installed once into the cache, saying so", path: func(t *testing.T) (string, string) { return fakeGo(t, "", true) }, want: "cache",
			log:      "installing github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + emulator.RIEVersion + " into ",
			recorded: []string{"install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + emulator.RIEVersion + " GOFLAGS=[-modcacherw] GOWORK=off"}},
		{name: "go install fails", path: func(t *testing.T) (string, string) { return fakeGo(t, "", false) },
			err: "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + emulator.RIEVersion + " failed", log: "cannot reach the module proxy"},
		{name: "no go command", path: func(t *testing.T) (string, string) { return t.TempDir(), "" },
			err: "cannot install it without the go command: install Go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", cache)
			t.Setenv("AWS_LAMBDA_RIE", tc.env)
			t.Setenv("GOFLAGS", "-mod=vendor -modcacherw")
			path, record := tc.path(t)
			t.Setenv("PATH", path)
			var log bytes.Buffer
			got, err := emulator.Find(context.Background(), &log)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
			} else {
				require.NoError(t, err)
				if tc.want == "cache" {
					tc.want = filepath.Join(cache, "asyncinvoke", "bin", "aws-lambda-rie")
				}
				assert.Equal(t, tc.want, got)
			}
			if tc.log != "" {
				assert.Contains(t, log.String(), tc.log)
			}
			if tc.notLogged {
				assert.Empty(t, log.String())
			}
			if len(tc.recorded) > 0 {
				b, err := os.ReadFile(record)
				require.NoError(t, err)
				for _, r := range tc.recorded {
					assert.Contains(t, string(b), r)
				}
			}
		})
	}
}

func TestCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/somewhere")
	dir, err := emulator.CacheDir()
	require.NoError(t, err)
	assert.Equal(t, "/somewhere/asyncinvoke/bin", dir)
}
