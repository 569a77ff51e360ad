package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as a person scans it: the API, a table of
// its methods, then the problems and warnings, one a line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "REST API %s (%s) in %s, account %s", r.API.Name, r.API.ID, r.API.Region, r.API.Account)
	if r.API.Stack != "" {
		fmt.Fprintf(&b, ", made by the CloudFormation stack %s", r.API.Stack)
	}
	b.WriteString("\n")
	if s := r.Stage; s != nil {
		if s.Compared {
			fmt.Fprintf(&b, "Stage %s: deployment %s, compared with the current definition\n", s.Name, s.DeploymentID)
		} else {
			fmt.Fprintf(&b, "Stage %s: deployment %s, not compared (see the warnings)\n", s.Name, s.DeploymentID)
		}
	} else if len(r.Stages) > 0 {
		fmt.Fprintf(&b, "Stages: %s (a permission must cover the calls from each; --stage checks one)\n", listCapped(r.Stages, maxListed, ", ", ""))
	} else {
		b.WriteString("Stages: none (permissions are checked for the calls from a stage of any name)\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	header := "METHOD\tPATH\tTYPE\tINVOCATION\tFUNCTION\tPERMISSION\tON FAILURE"
	if r.Stage != nil {
		header += "\tDEPLOYED"
	}
	fmt.Fprintln(tw, header)
	for _, row := range r.Methods {
		cells := []string{row.Method, row.Path, dash(row.IntegrationType), InvocationText(row.Invocation), targetText(row.Target), permissionText(row.Permission), onFailureText(row.Async)}
		if r.Stage != nil {
			cells = append(cells, deployedText(row.Deployed))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	if len(r.Methods) == 0 {
		b.WriteString("(no methods)\n")
	}
	writeFindings(&b, "problem", r.Problems)
	writeFindings(&b, "warning", r.Warnings)
	if len(r.Problems) == 0 {
		b.WriteString("\nNo problems found.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFindings(b *strings.Builder, what string, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", plural(len(fs), what))
	for _, g := range groupFindings(fs) {
		if g.methods != "" {
			fmt.Fprintf(b, "  %s: %s [%s]\n", g.methods, g.Message, g.Code)
		} else {
			fmt.Fprintf(b, "  %s [%s]\n", g.Message, g.Code)
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteJSON writes the report as JSON, for scripts.
func (r *Report) WriteJSON(w io.Writer) error { return WriteJSON(w, r) }

// WriteJSON writes v as indented JSON and a newline.
func WriteJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// InvocationText is how the table writes an invocation: its class, and
// in brackets what decides it.
func InvocationText(inv Invocation) string {
	s := string(inv.Class)
	detail := ""
	switch {
	case inv.Class == Client && inv.Header != "":
		detail = "header " + inv.Header
	case inv.Class == Template:
		detail = inv.Source
	case inv.Class == OtherService:
		detail = inv.Source
	case inv.InvokeAsync:
		detail = "InvokeAsync"
	case strings.HasPrefix(inv.Source, "stageVariables."):
		detail = "stage variable " + strings.TrimPrefix(inv.Source, "stageVariables.")
		if inv.unset {
			detail += ", not set"
		}
	case inv.Class == Client || inv.Class == Varies || inv.Class == Invalid:
		detail = inv.Source
	}
	if detail != "" {
		s += " (" + detail + ")"
	}
	return s
}

func targetText(t *Target) string {
	if t == nil {
		return "-"
	}
	return t.String()
}

func permissionText(p *Permission) string {
	if p == nil {
		return "-"
	}
	return string(p.State)
}

// onFailureText is where a failed asynchronous call goes: the on-failure
// destination, or the dead-letter queue, by service and name.
func onFailureText(s *AsyncSettings) string {
	switch {
	case s == nil:
		return "-"
	case s.OnFailure != "":
		return shortARN(s.OnFailure)
	case s.DeadLetter != "":
		return "DLQ " + shortARN(s.DeadLetter)
	}
	return "none"
}

// shortARN writes an ARN as service:name.
func shortARN(arn string) string {
	segs := strings.SplitN(arn, ":", 6)
	if len(segs) < 6 {
		return arn
	}
	name := strings.TrimPrefix(segs[5], "function:")
	if segs[2] == "lambda" {
		return "lambda:" + name
	}
	if i := strings.LastIndexAny(name, ":/"); i >= 0 && segs[2] != "s3" {
		name = name[i+1:]
	}
	return segs[2] + ":" + name
}

func deployedText(d *Deployed) string {
	if d == nil {
		return "-"
	}
	return string(d.State)
}

// group is findings with the same code and message, said once for all
// their methods.
type group struct {
	Finding
	methods string // "POST /a, POST /b and 3 more"; "" for the API or stage
}

// maxListed is how many methods (or statements) a line names before it
// counts the rest.
const maxListed = 5

// groupFindings groups findings by code and message, in the order they
// first appear, so that a warning repeated for many methods (one function
// behind all of them) is one line.
func groupFindings(fs []Finding) []group {
	var out []group
	index := map[[2]string]int{}
	var methods [][]string
	for _, f := range fs {
		k := [2]string{f.Code, f.Message}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, group{Finding: f})
			methods = append(methods, nil)
		}
		if f.Method != "" {
			methods[i] = append(methods[i], f.Method)
		}
	}
	for i := range out {
		out[i].methods = listCapped(methods[i], maxListed, ", ", "")
	}
	return out
}

// listCapped joins items with sep, naming at most max and counting the
// rest as more what ("" for none).
func listCapped(items []string, max int, sep, what string) string {
	if len(items) <= max {
		return strings.Join(items, sep)
	}
	more := fmt.Sprintf(" and %d more", len(items)-max)
	if what != "" {
		more += " " + what
	}
	return strings.Join(items[:max], sep) + strings.TrimPrefix(sep, ",") + strings.TrimSpace(more)
}
