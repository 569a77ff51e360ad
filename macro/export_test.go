package macro

// GoldenInputs reads a golden case's inputs for the external tests.
func GoldenInputs(src []byte) (values map[string]any, stack Stack, err error) {
	in, err := readGoldenHeader(src)
	return in.Values, in.Stack, err
}
