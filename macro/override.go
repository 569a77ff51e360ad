package macro

// OverridesInvocationType reports whether a request mapping template sets
// X-Amz-Invocation-Type itself through $context.requestOverride (in any
// case, outside VTL comments, directly, through a variable or with put), by
// the rules the macro refuses such a template by. API Gateway applies an
// override after the integration's parameter mappings, so such a template,
// not the mapping, decides how Lambda is invoked. asyncinvoke audit reads
// deployed integrations with it.
func OverridesInvocationType(template string) bool { return overridesInvocationType(template) }
