package macro

import (
	"bytes"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// What the expansion reads, for the request decoder. The Lambda function
// decodes into the tree only what the expansion may read or change; the
// rest of the template (most of a large one) is kept as tree.Raw, the exact
// bytes it came in, and copied to the response unchanged. The expansion
// must therefore never meet a Raw value: everything it reads is decoded by
// the rules below. When the expansion starts reading a new resource type or
// section, add it here (and a case to TestLazyDecoding).

// ReadsType reports whether the expansion reads or changes resources of
// type t; their properties are always decoded. Every other resource keeps
// its Type and Condition decoded (the expansion looks them up by logical
// ID) and the rest as it came.
func ReadsType(t string) bool {
	for _, prefix := range []string{"AWS::ApiGateway::", "AWS::ApiGatewayV2::", "AWS::Serverless::"} {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	switch t {
	case cfn.TypeFunction, cfn.TypeAlias, cfn.TypeVersion, cfn.TypePermission, cfn.TypeEventInvokeConfig,
		cfn.TypeRole, cfn.TypePolicy, cfn.TypeManagedPolicy, cfn.TypeRolePolicy, cfn.TypeKMSAlias:
		return true
	}
	return cfn.IsDestinationType(t) // the macro reads a destination's name, FIFO and key

}

// markers are texts that make a resource or section decoded whatever its
// type: the shorthands (refused on resources that cannot have them), the
// intrinsics that generate or include template parts, and \u: JSON can
// spell any text in \u escapes, and a decoded value's escapes come out as
// the tree's encoder writes them (😀 for \ud83d\ude00), as they always have.
var markers = [][]byte{
	[]byte(Shorthand), []byte(OpenAPIShorthand), []byte("Fn::ForEach"), []byte("Fn::Transform"), []byte(`\u`),
}

// rawSections are the top-level sections the expansion never reads.
// Parameters, Conditions, Transform, Globals and anything not listed here
// are decoded.
var rawSections = []string{"Description", "Metadata", "Mappings", "Rules", "Outputs"}

// marked reports whether raw text holds one of the markers.
func marked(raw []byte) bool {
	for _, m := range markers {
		if bytes.Contains(raw, m) {
			return true
		}
	}
	return false
}

// decodeFragment reads a macro request's fragment: the template, decoded
// where the expansion reads it and Raw elsewhere.
func decodeFragment(d *tree.Decoder) (any, error) {
	if d.Kind() != '{' {
		return d.Value()
	}
	f := &tree.Object{}
	err := d.Members(func(key string) error {
		var v any
		var err error
		switch {
		case key == "Resources" && d.Kind() == '{':
			v, err = decodeResources(d)
		case isRawSection(key):
			v, err = rawUnlessMarked(d)
		default:
			v, err = d.Value()
		}
		f.Members = append(f.Members, tree.Member{Key: key, Value: v})
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

func isRawSection(key string) bool {
	for _, s := range rawSections {
		if key == s {
			return true
		}
	}
	return false
}

// rawUnlessMarked reads the next value as Raw, or decoded if it holds a
// marker.
func rawUnlessMarked(d *tree.Decoder) (any, error) {
	raw, err := d.Raw()
	if err != nil {
		return nil, err
	}
	if marked(raw) {
		return raw.Decode()
	}
	return raw, nil
}

// decodeResources reads the Resources section. Entries that are not
// resources (a Fn::ForEach loop, a value that is not an object) are decoded.
func decodeResources(d *tree.Decoder) (*tree.Object, error) {
	section := &tree.Object{}
	err := d.Members(func(id string) error {
		var v any
		var err error
		if d.Kind() == '{' && !strings.HasPrefix(id, "Fn::") {
			v, err = decodeResource(d)
		} else {
			v, err = d.Value()
		}
		section.Members = append(section.Members, tree.Member{Key: id, Value: v})
		return err
	})
	return section, err
}

// decodeResource reads one resource: Type and Condition decoded, the rest
// Raw unless the type is one the expansion reads or the text holds a
// marker. Type usually comes first; when it does not, the members before it
// are read as Raw and decoded afterwards if needed. A resource without a
// Type is decoded.
func decodeResource(d *tree.Decoder) (*tree.Object, error) {
	res := &tree.Object{Members: make([]tree.Member, 0, 4)}
	typed, decode := false, false // whether Type was read; whether to decode everything
	err := d.Members(func(key string) error {
		var v any
		var err error
		switch {
		case key == "Type" || key == "Condition":
			v, err = d.Value()
			if t, isStr := v.(string); key == "Type" && err == nil {
				typed = true
				decode = decode || (isStr && ReadsType(t))
			}
		case decode:
			v, err = d.Value()
		default:
			var raw tree.Raw
			raw, err = d.Raw()
			v = raw
			if err == nil && marked(raw) {
				decode = true
			}
		}
		res.Members = append(res.Members, tree.Member{Key: key, Value: v})
		return err
	})
	if err != nil {
		return nil, err
	}
	if decode || !typed {
		for i, m := range res.Members {
			if raw, isRaw := m.Value.(tree.Raw); isRaw {
				if res.Members[i].Value, err = raw.Decode(); err != nil {
					return nil, err
				}
			}
		}
	}
	return res, nil
}
