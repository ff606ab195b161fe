package specdiff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/oasdiff/oasdiff/checker"
)

// levelOverrides sets the oasdiff level of the rules whose default does not
// judge from the reader's side. oasdiff's response rules mostly do already
// (an added enum value, a property that became optional or nullable, a
// widened type are errors there); these are the exceptions.
var levelOverrides = map[string]checker.Level{
	// A reader that uses a property finds it gone, whether or not it was
	// required; oasdiff calls removing an optional one harmless.
	checker.ResponseOptionalPropertyRemovedId:                checker.ERR,
	checker.ResponseRequiredPropertyRemovedWithDeprecationId: checker.ERR,
	// A deprecation announced in the document does not keep a reader working.
	checker.APIRemovedWithDeprecationId:     checker.ERR,
	checker.APIPathRemovedWithDeprecationId: checker.ERR,
	// A status that is no longer documented is one the reader will not see;
	// code that handles it keeps working. Listed for review.
	checker.ResponseSuccessStatusRemovedId:    checker.WARN,
	checker.ResponseNonSuccessStatusRemovedId: checker.WARN,
}

// operationRemovedRules are the oasdiff rules that report the operation
// gone. Every other rule kept is about the response.
var operationRemovedRules = []string{
	checker.APIRemovedWithoutDeprecationId,
	checker.APIRemovedWithDeprecationId,
	checker.APIRemovedBeforeSunsetId,
	checker.APIPathRemovedWithoutDeprecationId,
	checker.APIPathRemovedWithDeprecationId,
	checker.APIPathRemovedBeforeSunsetId,
}

// ruleSet is the configured checker and the rules whose findings are kept.
type ruleSet struct {
	config *checker.Config
	kept   map[string]bool
}

// newRuleSet configures oasdiff's checker with the reader-side levels and
// selects its response rules and the operation-removed rules; request,
// parameter, security and versioning rules say nothing about reading the
// response.
func newRuleSet() *ruleSet {
	known := checker.GetCheckLevels()
	levels := make(map[string]checker.Level, len(levelOverrides))
	for id, level := range levelOverrides {
		// WithSeverityLevels stops the process on an unknown id; a rule
		// renamed by an oasdiff upgrade is caught by a test instead.
		if _, ok := known[id]; ok {
			levels[id] = level
		}
	}
	kept := map[string]bool{}
	for _, r := range checker.GetAllRules() {
		if r.Direction == checker.DirectionResponse || strings.HasPrefix(r.Id, "response-") {
			kept[r.Id] = true
		}
	}
	for _, id := range operationRemovedRules {
		kept[id] = true
	}
	return &ruleSet{
		config: checker.NewConfig(checker.GetAllChecks(), checker.WithSeverityLevels(levels)),
		kept:   kept,
	}
}

// severity maps an oasdiff level: an error is breaking (and fails the
// diff, like oasdiff's --fail-on ERR), a warning is listed for review, and
// anything lower is non-breaking.
func severity(level checker.Level) Severity {
	switch {
	case level >= checker.ERR:
		return SeverityBreaking
	case level == checker.WARN:
		return SeverityInfo
	default:
		return SeverityNonBreaking
	}
}

// convert turns an oasdiff finding about one response status into a
// Change: our kind and JSON Pointer where the rule is one of those below,
// else the rule id as the kind. oasdiff names the property in the finding's
// arguments, at a place that differs from rule to rule; for the rules not
// below, the pointer is that of the first argument that names a property
// the body declares (declared holds the pointers of both documents), or
// the status alone. Only the keys of declared count.
func convert(c checker.Change, status string, declared map[string]bool, l checker.Localizer) Change {
	args := make([]string, len(c.GetArgs()))
	for i, a := range c.GetArgs() {
		args[i] = fmt.Sprint(a)
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	ch := Change{
		Kind:     c.GetId(),
		Pointer:  status,
		Severity: severity(c.GetLevel()),
		Message:  c.GetUncolorizedText(l),
		Rule:     c.GetId(),
	}
	at := func(prop string) string { return status + " " + propertyPointer(prop) }

	switch id := c.GetId(); id {
	case checker.APIRemovedWithoutDeprecationId, checker.APIRemovedWithDeprecationId, checker.APIRemovedBeforeSunsetId,
		checker.APIPathRemovedWithoutDeprecationId, checker.APIPathRemovedWithDeprecationId, checker.APIPathRemovedBeforeSunsetId:
		ch.Kind, ch.Pointer = KindOperationRemoved, ""
		ch.Message = "the operation is no longer documented (" + ch.Message + ")"

	case checker.ResponseSuccessStatusAddedId, checker.ResponseNonSuccessStatusAddedId:
		ch.Kind, ch.New = KindStatusAdded, status
	case checker.ResponseSuccessStatusRemovedId, checker.ResponseNonSuccessStatusRemovedId:
		ch.Kind, ch.Old = KindStatusRemoved, status

	case checker.ResponseMediaTypeAddedId, checker.ResponseBodyMediaTypeSchemaAddedId:
		ch.Kind, ch.New = KindBodyAdded, arg(0)
	case checker.ResponseMediaTypeRemovedId, checker.ResponseBodyMediaTypeSchemaRemovedId:
		ch.Kind, ch.Old = KindBodyRemoved, arg(0)

	case checker.ResponseOptionalPropertyAddedId:
		ch.Kind, ch.Pointer, ch.New = KindPropertyAdded, at(arg(0)), "optional"
	case checker.ResponseRequiredPropertyAddedId:
		ch.Kind, ch.Pointer, ch.New = KindPropertyAdded, at(arg(0)), "required"
	case checker.ResponseOptionalPropertyRemovedId, checker.ResponseRequiredPropertyRemovedId,
		checker.ResponseRequiredPropertyRemovedWithDeprecationId, checker.ResponseRequiredPropertyRemovedBeforeSunsetId:
		ch.Kind, ch.Pointer, ch.Old = KindPropertyRemoved, at(arg(0)), "declared"
	case checker.ResponsePropertyBecameOptionalId:
		ch.Kind, ch.Pointer, ch.Old, ch.New = KindRequiredRemoved, at(arg(0)), "required", "optional"
	case checker.ResponsePropertyBecameRequiredId:
		ch.Kind, ch.Pointer, ch.Old, ch.New = KindRequiredAdded, at(arg(0)), "optional", "required"

	case checker.ResponsePropertyTypeChangedId, checker.ResponsePropertyTypeGeneralizedId,
		checker.ResponsePropertyTypeSpecializedId, checker.ResponsePropertyTypeCompatibleId:
		ch.Pointer = at(arg(0))
		ch.Kind, ch.Old, ch.New = typeOrFormat(arg(1), arg(2), arg(3))
	case checker.ResponseBodyTypeChangedId, checker.ResponseBodyTypeGeneralizedId,
		checker.ResponseBodyTypeSpecializedId, checker.ResponseBodyTypeCompatibleId:
		ch.Kind, ch.Old, ch.New = typeOrFormat(arg(0), arg(1), arg(2))

	case checker.ResponsePropertyBecameNullableId:
		ch.Kind, ch.Pointer, ch.Old, ch.New = KindNullAdded, at(arg(0)), "not null", "null allowed"
	case checker.ResponseBodyBecameNullableId:
		ch.Kind, ch.Old, ch.New = KindNullAdded, "not null", "null allowed"
	case checker.ResponsePropertyBecameNotNullableId:
		ch.Kind, ch.Pointer, ch.Old, ch.New = KindNullRemoved, at(arg(0)), "null allowed", "not null"
	case checker.ResponseBodyBecameNotNullableId:
		ch.Kind, ch.Old, ch.New = KindNullRemoved, "null allowed", "not null"

	case checker.ResponsePropertyEnumValueAddedId:
		ch.Kind, ch.Pointer, ch.New = KindEnumValueAdded, at(arg(1)), arg(0)
	case checker.ResponsePropertyEnumValueRemovedId:
		ch.Kind, ch.Pointer, ch.Old = KindEnumValueRemoved, at(arg(1)), arg(0)
	case checker.ResponseMediaTypeEnumValueAddedId:
		ch.Kind, ch.New = KindEnumValueAdded, arg(0)
	case checker.ResponseMediaTypeEnumValueRemovedId:
		ch.Kind, ch.Old = KindEnumValueRemoved, arg(1)
	case checker.ResponsePropertyBecameEnumId:
		ch.Kind, ch.Pointer = KindEnumAdded, at(arg(0))
	case checker.ResponseMediaTypeBecameEnumId:
		ch.Kind = KindEnumAdded
	case checker.ResponsePropertyBecameNotEnumId:
		ch.Kind, ch.Pointer = KindEnumRemoved, at(arg(0))
	case checker.ResponseMediaTypeBecameNotEnumId:
		ch.Kind = KindEnumRemoved

	default:
		if strings.HasPrefix(id, "response-property-") {
			for _, a := range args {
				p := propertyPointer(a)
				if _, ok := declared[p]; ok && p != "" {
					ch.Pointer = at(a)
					break
				}
			}
		}
	}
	return ch
}

// typeOrFormat names a type or format change from oasdiff's dimension
// ("type", "format" or "type/format") and its two sides.
func typeOrFormat(dimension, from, to string) (kind, oldVal, newVal string) {
	if dimension == "format" {
		switch {
		case from == "none":
			return KindFormatAdded, "", to
		case to == "none":
			return KindFormatRemoved, from, ""
		default:
			return KindFormatChanged, from, to
		}
	}
	return KindTypeChanged, typeText(from), typeText(to)
}

// typeText rewrites oasdiff's "number, null" as "number": null is reported
// by the nullability rules. Several types read "number or string".
func typeText(s string) string {
	var types []string
	for _, t := range strings.Split(s, ", ") {
		if t != "null" && t != "" {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return s
	}
	slices.Sort(types)
	return strings.Join(types, " or ")
}

// propertyPointer turns oasdiff's property path ("answered_by/oneOf[...]",
// "items/name") into an RFC 6901 JSON Pointer into the body: allOf, anyOf
// and oneOf steps are dropped, and array items and additional properties
// become "*". A property named "items" or "additionalProperties" reads as
// "*" too: oasdiff's path does not tell them apart.
func propertyPointer(path string) string {
	var b strings.Builder
	for _, seg := range splitPath(path) {
		switch {
		case seg == "":
			continue
		case seg == "items" || seg == "additionalProperties":
			seg = "*"
		case strings.HasSuffix(seg, "]") && (strings.HasPrefix(seg, "allOf[") || strings.HasPrefix(seg, "anyOf[") || strings.HasPrefix(seg, "oneOf[")):
			continue
		default:
			seg = escape(seg)
		}
		b.WriteString("/" + seg)
	}
	return b.String()
}

// splitPath splits on "/" outside square brackets, so a subschema title
// with a slash stays one step.
func splitPath(path string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range path {
		switch r {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '/':
			if depth == 0 {
				out = append(out, path[start:i])
				start = i + 1
			}
		}
	}
	return append(out, path[start:])
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
