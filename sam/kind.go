package sam

// kinder is implemented by this package's optimizers and updaters: kind names the layout
// of their MarshalState (e.g. "SAM(SGD)"), which a checkpoint records so that resuming
// with a different optimizer is refused by name instead of misreading the state. A type
// that embeds one of them inherits its kind; any other type has kind "" (unknown, so not
// checked), since a wrapper may forward another optimizer's state.
type kinder interface {
	kind() string
}

func (*SGD) kind() string     { return "SGD" }
func (*Adam) kind() string    { return "Adam" }
func (s *SAM) kind() string   { return wrapKind("SAM", s.Base) }
func (s *NSAM) kind() string  { return wrapKind("NSAM", s.Base) }
func (r *RWSAM) kind() string { return wrapKind("RWSAM", r.Base) }

// wrapKind returns "name(base kind)", or "" if the base's kind is unknown.
func wrapKind(name string, base Updater) string {
	b := kindOf(base)
	if b == "" {
		return ""
	}
	return name + "(" + b + ")"
}

// kindOf returns v's kind, or "" for types outside this package.
func kindOf(v any) string {
	if k, ok := v.(kinder); ok {
		return k.kind()
	}
	return ""
}
