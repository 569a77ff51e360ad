// Command benchtable reads `go test -bench BenchmarkHandle` output (any
// -count) and prints, per case, the median cost of the macro beside its
// floor (decode and encode only), their ratio, the cost and allocations per
// method.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type sample struct{ ns, perMethod, bytes, allocs float64 }

func main() {
	samples := map[string][]sample{} // "case/macro" -> samples
	var cases []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "BenchmarkHandle/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkHandle/")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		var s sample
		for i := 2; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "ns/method":
				s.perMethod = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			}
		}
		c, _, _ := strings.Cut(name, "/")
		if len(samples[c+"/macro"]) == 0 && len(samples[c+"/floor"]) == 0 {
			cases = append(cases, c)
		}
		samples[name] = append(samples[name], s)
	}
	fmt.Printf("\n| case | macro (ms) | floor (ms) | ratio to floor | µs per method | allocs per method | MB allocated |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range cases {
		m, f := median(samples[c+"/macro"]), median(samples[c+"/floor"])
		ratio := 0.0
		if f.ns > 0 {
			ratio = m.ns / f.ns
		}
		perMethodAllocs := 0.0
		if m.perMethod > 0 {
			perMethodAllocs = m.allocs * m.perMethod / m.ns
		}
		fmt.Printf("| %s | %.2f | %.2f | %.2fx | %.1f | %.0f | %.1f |\n", c, m.ns/1e6, f.ns/1e6, ratio, m.perMethod/1e3, perMethodAllocs, m.bytes/1e6)
	}
}

// median takes the median of each figure.
func median(s []sample) sample {
	if len(s) == 0 {
		return sample{}
	}
	pick := func(get func(sample) float64) float64 {
		v := make([]float64, len(s))
		for i := range s {
			v[i] = get(s[i])
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return sample{
		ns:        pick(func(x sample) float64 { return x.ns }),
		perMethod: pick(func(x sample) float64 { return x.perMethod }),
		bytes:     pick(func(x sample) float64 { return x.bytes }),
		allocs:    pick(func(x sample) float64 { return x.allocs }),
	}
}
