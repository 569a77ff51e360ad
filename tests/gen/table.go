package gen

// A row is one feature: a name (recorded in the Case when the row is
// chosen), whether it applies to x, and what it does to the template.
type row[T any] struct {
	name   string
	weight int                        // relative weight in a choice; 0 counts as 10
	p      float64                    // in an optional table, its own probability (0: the table's)
	ok     func(b *builder, x T) bool // nil: always applies
	apply  func(b *builder, x T)
}

// choose applies one row of table to x, drawn by weight among those that
// apply, records its feature and returns its name ("" when none applies).
func choose[T any](b *builder, table []row[T], x T, record func(string)) string {
	total := 0
	var ok []int
	for i, r := range table {
		if r.ok == nil || r.ok(b, x) {
			ok = append(ok, i)
			total += weightOf(r.weight)
		}
	}
	if total == 0 {
		return ""
	}
	n := b.intn(total)
	for _, i := range ok {
		r := table[i]
		if n -= weightOf(r.weight); n < 0 {
			record(r.name)
			if r.apply != nil {
				r.apply(b, x)
			}
			return r.name
		}
	}
	return ""
}

func weightOf(w int) int {
	if w == 0 {
		return 10
	}
	return w
}

// maybe applies each row of table that applies to x with probability p.
func maybe[T any](b *builder, table []row[T], x T, p float64, record func(string)) {
	for _, r := range table {
		q := p
		if r.p > 0 {
			q = r.p
		}
		if (r.ok == nil || r.ok(b, x)) && b.chance(q) {
			record(r.name)
			r.apply(b, x)
		}
	}
}

// derived are the features recorded by the code between the tables:
// variations of a row that a predicate may need to tell apart.
var derived = []string{
	"cond-api", "cond-method", "cond-function", "cond-destination",
	"role-shared", "role-shared-across-conditions", "role-grant-under-two-conditions", "role-if-exclusive", "role-if-literal", "role-if-two-roles",
	"settings-repeated", "settings-conflict", "destination-written-otherwise",
	"option-retries", "option-retries-parameter", "option-retries-fn-if", "option-event-age",
	"option-on-failure", "option-on-success", "option-on-failure-fn-if",
	"sam-alias-overrides-globals", "sam-function-without-events",
	"sam-own-event-invoke-config-same", "sam-own-event-invoke-config-different", "path-long",
}

// Names are the names of every feature: the rows of every table and the
// derived ones.
func Names() []string {
	var names []string
	add := func(n ...string) { names = append(names, n...) }
	rowNames := func(rs ...[]string) {
		for _, r := range rs {
			add(r...)
		}
	}
	for _, g := range options {
		rowNames(namesOf(g))
	}
	rowNames(namesOf(samChoice), namesOf(templateFeatures), namesOf(nameFeatures), namesOf(aliasNames),
		namesOf(apiForms), namesOf(basepathModes), namesOf(apiFeatures), namesOf(functionKinds),
		namesOf(roleForms), namesOf(functionFeatures), namesOf(targets), namesOf(externalTargets),
		namesOf(modes), namesOf(destinationKinds), namesOf(keyForms), namesOf(useFeatures), derived)
	return names
}

func namesOf[T any](rows []row[T]) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.name)
	}
	return out
}
